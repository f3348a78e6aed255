/**
 * profile's GraphQL IDE at `GET /graphql`: GraphiQL bundled into profile's build, so a
 * browser with no internet at all gets a working IDE — the page, its scripts, styles,
 * fonts and Monaco's workers all from profile (Apollo's Sandbox, before, loaded from
 * Apollo's CDNs and Google Fonts and was blank offline). In Chromium, every request to
 * another origin is refused and counted; the page must not even try one, must break no
 * rule of its Content-Security-Policy, and must run a query with the Bearer token typed
 * into its headers editor, and a subscription over graphql-ws. Through the gateway too.
 * (That production serves none is `graphql-ide.spec.ts`'s: a production instance here
 * would join the stack's consumer group and stall it for every later spec.)
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureChromium, launchChromium } from '../../../test/e2e/support/browser';
import {
  type AuthGrpcClient,
  authClient,
  eventually,
  registerUser,
  type TestUser,
} from '../../../test/e2e/support/clients';
import { gatewayStack, gatewayState } from '../../../test/e2e/support/gateway';
import { stack } from '../../../test/e2e/support/stack';
import { graphql } from './support/graphql';

const PROFILE = stack.profile.http;
const IDE = `${PROFILE}/graphql`;
const BROWSER_HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const chromium = ensureChromium();
if (chromium.unavailable)
  console.warn(`GraphQL IDE browser specs skipped: ${chromium.unavailable}`);
const describeBrowser = chromium.path ? describe : describe.skip;
const gateway = gatewayState();
const itThroughGateway = gateway.unavailable === undefined ? it : it.skip;

/** The Content-Security-Policy of an answer, by directive. */
function directives(response: Response): Record<string, string[]> {
  const policy = response.headers.get('content-security-policy') ?? '';
  return Object.fromEntries(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name, sources]),
  );
}

/** Every URL the page's HTML loads (`src`, `href`), resolved as a browser would. */
function referencedUrls(html: string, page: string): URL[] {
  return [...html.matchAll(/\s(?:src|href)=["']([^"']+)["']/g)].map(
    ([, url]) => new URL(url, page),
  );
}

const ME = '{ me { id nickname } }';

/**
 * The page's globals these specs use, typed here since specs compile without the DOM's
 * types. (Functions run in the page are serialized: they can name types, not helpers.)
 */
interface PageGlobals {
  navigator: { clipboard: { writeText(text: string): Promise<void> } };
  localStorage: { getItem(key: string): string | null };
}

describe('GraphQL IDE at GET /graphql (GraphiQL, self-hosted)', () => {
  let auth: AuthGrpcClient;
  let ada: TestUser;

  beforeAll(async () => {
    auth = authClient();
    ada = await registerUser(auth, 'ide');
    // The profile exists once profile has consumed auth.user.registered.v1.
    await eventually(async () => (await graphql(ME, { token: ada.accessToken })).data ?? undefined);
  });
  afterAll(() => auth?.close());

  it('serves a page whose every script and stylesheet comes from profile itself', async () => {
    const page = await fetch(IDE, { headers: { accept: BROWSER_HTML } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    // No CDN: not a single absolute URL of another origin, and no inline script.
    expect(html).not.toMatch(/(?:src|href)=["'](?:https?:)?\/\//);
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect({ attributes, inline: body.trim() }).toEqual({
        attributes: expect.stringMatching(/\ssrc=/) as unknown,
        inline: '',
      });
    }
    const assets = referencedUrls(html, IDE);
    expect(assets.map((url) => url.pathname)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\/graphql\/assets\/.+\.js$/)]),
    );
    for (const asset of assets) {
      expect(asset.origin).toBe(PROFILE);
      const response = await fetch(asset);
      expect({ asset: asset.pathname, status: response.status }).toEqual({
        asset: asset.pathname,
        status: 200,
      });
      // Hashed names: cached for good, under the page's own policy.
      expect(response.headers.get('cache-control')).toMatch(/immutable/);
      expect(directives(response)['script-src']).toEqual(["'self'"]);
    }
    const policy = directives(page);
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(policy['connect-src']).toEqual(["'self'"]);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    expect(JSON.stringify(policy)).not.toMatch(/https?:|unsafe-eval/);
  });

  it('leaves GET /graphql to GraphQL for clients that do not ask for HTML', async () => {
    const response = await fetch(`${IDE}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
    // And a missing asset is a 404, not an operation.
    expect((await fetch(`${PROFILE}/graphql/assets/no-such-file.js`)).status).toBe(404);
  });

  describeBrowser('in Chromium with no internet', () => {
    let browser: Browser;
    const contexts: BrowserContext[] = [];

    beforeAll(async () => {
      browser = await launchChromium(chromium.path!);
    }, 30_000);
    afterAll(async () => {
      await Promise.all(contexts.map((context) => context.close()));
      await browser?.close();
    });

    /**
     * A page that reaches `origin` only: any other request is aborted, as with no network,
     * and recorded with CSP violations and uncaught errors in `problems`.
     */
    async function open(origin: string): Promise<{ page: Page; problems: string[] }> {
      // Pasting is how a token gets into the headers editor, as a person would do it.
      const context = await browser.newContext({
        permissions: ['clipboard-read', 'clipboard-write'],
      });
      contexts.push(context);
      const problems: string[] = [];
      await context.route('**', (route) => {
        const url = route.request().url();
        if (new URL(url).origin === origin) return route.continue();
        problems.push(`request to ${url}`);
        return route.abort('internetdisconnected');
      });
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('websocket', (ws) => {
        if (new URL(ws.url()).origin !== origin.replace(/^http/, 'ws')) {
          problems.push(`socket to ${ws.url()}`);
        }
      });
      // Chromium reports each Content-Security-Policy violation as a console error.
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
          problems.push(`CSP: ${message.text()}`);
        }
      });
      return { page, problems };
    }

    /** Replaces the content of a Monaco editor of the page by pasting `text` into it. */
    async function paste(page: Page, editor: string, text: string): Promise<void> {
      await page.evaluate(
        (value) => (globalThis as unknown as PageGlobals).navigator.clipboard.writeText(value),
        text,
      );
      await editorOf(page, editor).click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('ControlOrMeta+V');
    }

    const editorOf = (page: Page, editor: string) =>
      editor === 'query'
        ? page.locator('.graphiql-query-editor [role="code"]')
        : page.getByRole('region', { name: editor }).getByRole('code');

    const result = (page: Page) => page.getByRole('region', { name: 'Result Window' });

    /** Types the operation, waits for GraphiQL to take it in (it debounces), and runs it. */
    async function run(page: Page, operation: string): Promise<void> {
      await paste(page, 'query', operation);
      await page.waitForFunction(
        (text) =>
          (globalThis as unknown as PageGlobals).localStorage.getItem('graphiql:query') === text,
        operation,
      );
      await page.keyboard.press('ControlOrMeta+Enter');
    }

    it('loads, runs a query with the Bearer token of its headers editor, and a subscription', async () => {
      const { page, problems } = await open(PROFILE);
      await page.goto(IDE);
      await editorOf(page, 'query').waitFor();
      // The headers editor is open from the start: that is where the token goes.
      await paste(page, 'Headers', JSON.stringify({ Authorization: `Bearer ${ada.accessToken}` }));

      await run(page, 'query Me { me { id nickname } }');
      await result(page).filter({ hasText: ada.nickname }).waitFor();
      expect(await result(page).innerText()).toContain(ada.userId);

      // A subscription over graphql-ws (same origin, the token in connection_init): the
      // result window shows each change as it happens.
      await run(
        page,
        `subscription Watch { profileUpdated(userId: "${ada.userId}") { nickname bio } }`,
      );
      let attempt = 0;
      await eventually(async () => {
        // The subscription starts asynchronously: change the bio until a change shows.
        const bio = `live from the IDE ${(attempt += 1)}`;
        const update = await graphql(
          'mutation ($bio: String) { updateProfile(input: { bio: $bio }) { id } }',
          {
            token: ada.accessToken,
            variables: { bio },
          },
        );
        expect(update.errors).toBeUndefined();
        await result(page).filter({ hasText: bio }).waitFor({ timeout: 1_000 });
        return true;
      });

      expect(problems).toEqual([]);
    });

    itThroughGateway('works the same through the gateway, its one origin', async () => {
      const { page, problems } = await open(gatewayStack.http);
      await page.goto(`${gatewayStack.http}/graphql`);
      await editorOf(page, 'query').waitFor();
      await paste(page, 'Headers', JSON.stringify({ Authorization: `Bearer ${ada.accessToken}` }));
      await run(page, 'query Me { me { id nickname } }');
      await result(page).filter({ hasText: ada.nickname }).waitFor();
      expect(problems).toEqual([]);
    });
  });
});
