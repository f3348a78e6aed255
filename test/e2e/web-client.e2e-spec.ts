/**
 * The web client (apps/web) in a real browser, through the e2e stack's gateway only: two
 * people sign up in two browser contexts, become friends (search → Add friend → Accept, the
 * request and the acceptance arriving live), chat both ways (each sees the other's message
 * as it is sent), edit and delete a message, lose the network and catch up, and sign out —
 * or are signed out by the server. Every request and WebSocket the pages open goes to the
 * gateway's origin, and no page throws or breaks the gateway's CSP.
 * Controls are found by role and accessible name, the names apps/web/README.md promises.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ensureChromium, launchChromium } from './support/browser';
import { gatewayStack, gatewayState } from './support/gateway';

const gateway = gatewayState();
const chromium = gateway.unavailable === undefined ? ensureChromium() : undefined;
const chromiumPath = chromium?.path;
const skipped = gateway.unavailable ?? chromium?.unavailable;
if (skipped) console.warn(`web client specs skipped: ${skipped}`);
const describeBrowser = skipped ? describe.skip : describe;

const ORIGIN = gatewayStack.http;
const WS_ORIGIN = ORIGIN.replace(/^http/, 'ws');
/**
 * Avatars are https URLs on any host (ADR 0029). This one never resolves (`.test`): each
 * browser context answers it with a small PNG, so the page loads it as from the internet,
 * under the gateway's CSP.
 */
const AVATAR_ORIGIN = 'https://avatars.example.test';
const AVATAR_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGNQTX4NRAwQCgAligXNFnxqAgAAAABJRU5ErkJggg==',
  'base64',
);

interface Person {
  nickname: string;
  page: Page;
  context: BrowserContext;
  /** What broke in the page: uncaught errors, CSP violations, other origins contacted. */
  problems: string[];
  /** The Referer of each avatar request the page made (none expected). */
  avatarReferers: (string | undefined)[];
}

describeBrowser('web client through the gateway', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchChromium(chromiumPath!);
  }, 30_000);

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
  });

  async function open(name: string): Promise<Person> {
    // A context per person: its own storage, as two people on two machines.
    const context = await browser.newContext({ baseURL: ORIGIN });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems: string[] = [];
    const avatarReferers: (string | undefined)[] = [];
    await context.route(`${AVATAR_ORIGIN}/**`, async (route) => {
      avatarReferers.push(route.request().headers().referer);
      await route.fulfill({ status: 200, contentType: 'image/png', body: AVATAR_PNG });
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
        problems.push(`CSP: ${message.text()}`);
      }
    });
    context.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(`${ORIGIN}/`) && !url.startsWith(`${AVATAR_ORIGIN}/`)) {
        problems.push(`request to ${url}`);
      }
    });
    page.on('websocket', (ws) => {
      if (!ws.url().startsWith(`${WS_ORIGIN}/socket.io/`)) problems.push(`socket to ${ws.url()}`);
    });
    const nickname = `${name}_${randomUUID().slice(0, 8)}`;
    return { nickname, page, context, problems, avatarReferers };
  }

  async function signUp(person: Person): Promise<void> {
    const { page } = person;
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    await page.getByRole('textbox', { name: 'Email' }).fill(`${person.nickname}@example.com`);
    await page.getByRole('textbox', { name: 'Password' }).fill('correct-horse-battery');
    await page.getByRole('textbox', { name: 'Nickname' }).fill(person.nickname);
    // The gateway allows 5 sign-ups and logins per address at once, then one per 6 s, and
    // every spec of the run comes from 127.0.0.1: when limited, wait as a person would.
    const signedIn = page.getByRole('button', { name: 'Sign out' });
    const limited = page.getByRole('alert').filter({ hasText: 'Too many attempts' });
    for (let attempt = 1; ; attempt += 1) {
      await page.getByRole('button', { name: 'Sign up' }).click();
      await signedIn.or(limited).waitFor();
      if (await signedIn.isVisible()) return;
      if (attempt === 3) throw new Error('sign-up stayed rate-limited');
      await page.waitForTimeout(6_500);
    }
  }

  /** Searches until profile has indexed the newcomer (it learns of them from Kafka). */
  async function addFriend(person: Person, nickname: string): Promise<void> {
    const search = person.page.getByRole('searchbox', { name: 'Search people' });
    const add = person.page
      .getByRole('listitem')
      .filter({ hasText: nickname })
      .getByRole('button', { name: 'Add friend' });
    for (let attempt = 1; ; attempt += 1) {
      await search.fill(nickname.slice(0, attempt % 2 ? undefined : -1));
      try {
        await add.waitFor({ timeout: 1_500 });
        break;
      } catch (error) {
        if (attempt >= 10) throw error;
      }
    }
    await add.click();
  }

  /** Waits until `image` shows a loaded picture (decoded, with a width). */
  async function expectImageShown(image: Locator): Promise<void> {
    await image.waitFor();
    const width = await image.evaluate((img: { decode(): Promise<void>; naturalWidth: number }) =>
      img.decode().then(() => img.naturalWidth),
    );
    expect(width).toBeGreaterThan(0);
  }

  /**
   * Waits for the chat view's composer; when the page shows an error instead, fails with
   * its text (what the person would read), not with a bare time-out.
   */
  async function expectChatOpen(person: Person): Promise<void> {
    const composer = person.page.getByRole('textbox', { name: 'Message', exact: true });
    const refused = person.page.getByRole('alert');
    await composer.or(refused).first().waitFor();
    if (!(await composer.isVisible())) {
      throw new Error(`the chat did not open: ${await refused.first().textContent()}`);
    }
  }

  const messages = (person: Person): Locator => person.page.getByRole('log', { name: 'Messages' });

  const message = (person: Person, text: string): Locator =>
    messages(person).getByRole('article').filter({ hasText: text });

  async function send(person: Person, text: string): Promise<void> {
    await person.page.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
    await person.page.getByRole('button', { name: 'Send', exact: true }).click();
  }

  it('two people befriend, chat live, edit, delete, catch up after going offline, sign out', async () => {
    const ada = await open('ada');
    const bob = await open('bob');
    await signUp(ada);
    await signUp(bob);

    // Ada sets an avatar in her profile; it shows there, loaded under the gateway's CSP.
    await ada.page.getByRole('button', { name: 'Profile' }).click();
    // The form shows her nickname once it has loaded her profile (which fills the fields).
    await ada.page.getByText(`Nickname: ${ada.nickname}`).waitFor();
    await ada.page.getByRole('textbox', { name: 'Avatar URL' }).fill(`${AVATAR_ORIGIN}/ada.png`);
    await ada.page.getByRole('button', { name: 'Save', exact: true }).click();
    await ada.page.getByRole('status').filter({ hasText: 'Profile saved.' }).waitFor();
    await expectImageShown(ada.page.getByRole('dialog').locator('img'));
    await ada.page.getByRole('button', { name: 'Close' }).click();

    // Ada asks; Bob sees the request arrive (friend:request), with her avatar, and accepts.
    await addFriend(ada, bob.nickname);
    const requests = bob.page.getByRole('region', { name: 'Friend requests' });
    const request = requests.getByRole('listitem').filter({ hasText: ada.nickname });
    await request.waitFor();
    await expectImageShown(request.locator('img'));
    await requests.getByRole('button', { name: 'Accept' }).click();

    // Ada sees Bob become a friend (friend:accepted) and opens a chat with him.
    const adaFriends = ada.page.getByRole('region', { name: 'Friends' });
    await adaFriends
      .getByRole('listitem')
      .filter({ hasText: bob.nickname })
      .getByRole('button', { name: 'Message' })
      .click();
    await expectChatOpen(ada);
    await send(ada, 'Hello Bob');
    await message(ada, 'Hello Bob').waitFor();

    // Bob's chat list gains the chat, named after Ada, and it holds her message.
    const chats = bob.page.getByRole('navigation', { name: 'Chats' });
    const adaChat = chats.getByRole('button', { name: ada.nickname, exact: true });
    await adaChat.click();
    await message(bob, 'Hello Bob').waitFor();
    // The chat shows the other member's avatar; its accessible name is still her nickname.
    await expectImageShown(adaChat.locator('img'));

    // Both ways, live: each sees the other's message without reloading.
    await send(bob, 'Hi Ada');
    await message(ada, 'Hi Ada').waitFor();
    await send(ada, 'How are you?');
    await message(bob, 'How are you?').waitFor();

    // Ada edits her first message; Bob sees the new text marked as edited.
    await message(ada, 'Hello Bob').getByRole('button', { name: 'Edit' }).click();
    await ada.page.getByRole('textbox', { name: 'Edit text' }).fill('Hello Bob, edited');
    await ada.page.getByRole('button', { name: 'Save', exact: true }).click();
    await message(bob, 'Hello Bob, edited').getByText('(edited)').waitFor();

    // Ada deletes it; Bob sees a tombstone in its place and the text is gone.
    await message(ada, 'Hello Bob, edited').getByRole('button', { name: 'Delete' }).click();
    await message(bob, 'Message deleted').waitFor();
    await message(bob, 'Hello Bob').waitFor({ state: 'detached' });
    // Only one's own messages offer Edit and Delete.
    expect(await message(bob, 'How are you?').getByRole('button', { name: 'Edit' }).count()).toBe(
      0,
    );
    expect(await message(bob, 'Message deleted').count()).toBe(1);

    // Bob loses the network: the client says so, and what he writes waits in its outbox.
    await bob.context.setOffline(true);
    await bob.page.getByRole('status').filter({ hasText: 'You are offline' }).waitFor();
    await send(bob, 'Written offline');
    await send(ada, 'While you were away 1');
    await send(ada, 'While you were away 2');
    await message(ada, 'While you were away 2').waitFor();
    // Back online: sync replays what he missed, the outbox goes out, nothing twice.
    await bob.context.setOffline(false);
    await bob.page.getByRole('status').filter({ hasText: 'You are offline' }).waitFor({
      state: 'detached',
    });
    await message(bob, 'While you were away 2').waitFor();
    await message(ada, 'Written offline').waitFor();
    for (const text of ['While you were away 1', 'While you were away 2', 'Written offline']) {
      expect(await message(bob, text).count()).toBe(1);
      expect(await message(ada, text).count()).toBe(1);
    }

    // Signing out returns to the sign-in screen.
    await ada.page.getByRole('button', { name: 'Sign out' }).click();
    await ada.page.getByRole('heading', { name: 'Sign in' }).waitFor();

    // The server ends Bob's session (logged out from elsewhere, with the refresh token this
    // tab keeps: apps/web/src/api/session.ts): messenger closes his socket with
    // auth:expired, the client's refresh is refused, and he is back at sign-in.
    const stored = await bob.page.evaluate("sessionStorage.getItem('messenger.session')");
    const { refreshToken } = JSON.parse(String(stored)) as { refreshToken: string };
    const logout = await fetch(`${ORIGIN}/v1/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    expect(logout.status).toBe(200);
    await bob.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await bob.page.getByText('Your session has ended').waitFor();

    expect([...ada.problems, ...bob.problems]).toEqual([]);
    // Avatars were fetched, and never told their host which page asked.
    expect(ada.avatarReferers.length).toBeGreaterThan(0);
    expect(bob.avatarReferers.length).toBeGreaterThan(0);
    expect([...ada.avatarReferers, ...bob.avatarReferers].filter(Boolean)).toEqual([]);
  }, 60_000);
});
