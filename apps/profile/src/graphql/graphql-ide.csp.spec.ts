import { GRAPHQL_IDE_CONTENT_SECURITY_POLICY as policy } from './graphql-ide.csp';

/** Every source the policy names, as `directive source`. */
const sources = Object.entries(policy).flatMap(([directive, list]) =>
  list.map((source) => `${directive} ${source}`),
);

describe('GRAPHQL_IDE_CONTENT_SECURITY_POLICY', () => {
  it('names no host: the IDE works with this origin alone (no CDN, no internet)', () => {
    const hosts = sources.filter((entry) => /(https?|wss?):|\*|\./.test(entry.split(' ')[1]));
    expect(hosts).toEqual([]);
  });

  it('runs only the bundled scripts and workers: nothing inline, no eval', () => {
    expect(policy.scriptSrc).toEqual(["'self'"]);
    expect(policy.workerSrc).toEqual(["'self'"]);
    expect(sources.filter((entry) => /unsafe-eval|wasm-unsafe-eval|blob:/.test(entry))).toEqual([]);
  });

  it('loosens only styles (inline) and fonts (data:), which Monaco and GraphiQL need', () => {
    const beyondSelf = sources.filter((entry) => !/ '(self|none)'$/.test(entry));
    expect(beyondSelf.sort()).toEqual(['fontSrc data:', "styleSrc 'unsafe-inline'"]);
  });

  it('allows nothing it does not name, and keeps the page out of frames', () => {
    expect(policy.defaultSrc).toEqual(["'none'"]);
    expect(policy.frameAncestors).toEqual(["'none'"]);
    expect(policy.baseUri).toEqual(["'none'"]);
    expect(policy.formAction).toEqual(["'none'"]);
  });
});
