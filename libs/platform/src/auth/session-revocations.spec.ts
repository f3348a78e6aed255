import { SessionRevocations } from './session-revocations';

/** The in-memory side only (no Redis connection is opened: clients connect lazily). */
describe('SessionRevocations', () => {
  const revocations = () =>
    new SessionRevocations({ redisUrl: 'redis://127.0.0.1:1', connectionName: 'spec' });
  const announce = (r: SessionRevocations, message: string) =>
    (r as unknown as { apply(message: string): void }).apply(message);

  it('refuses an announced session until its tokens expire, then forgets it', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const r = revocations();
      announce(r, JSON.stringify({ sessionId: 's1', until: 1_000_000 + 5_000 }));
      expect(r.isRevoked('s1')).toBe(true);
      expect(r.isRevoked('s2')).toBe(false);
      expect(r.isRevoked(undefined)).toBe(false);
      jest.setSystemTime(1_000_000 + 5_001);
      expect(r.isRevoked('s1')).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });

  it('tells listeners once per session, and ignores malformed or already expired news', () => {
    const r = revocations();
    const heard: string[] = [];
    r.onRevoked((sessionId) => heard.push(sessionId));
    const until = Date.now() + 60_000;
    announce(r, JSON.stringify({ sessionId: 's1', until }));
    announce(r, JSON.stringify({ sessionId: 's1', until: until + 1 }));
    announce(r, JSON.stringify({ sessionId: 's2', until: Date.now() - 1 }));
    announce(r, 'not json');
    announce(r, JSON.stringify({ sessionId: 42, until }));
    expect(heard).toEqual(['s1']);
    expect(r.isRevoked('s2')).toBe(false);
  });
});
