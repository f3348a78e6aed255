/**
 * `npm run demo` against this e2e stack (its ports through the DEMO_*_URL variables, its
 * build through BUILD_OUT_DIR), run twice as a person would: afterwards the three demo
 * people can sign in with the printed password, are all friends, have the display names
 * the demo gave them, and share one group chat holding the demo's history exactly once.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MessengerClient } from '@app/messenger-client';
import {
  DEFAULT_DEMO_PASSWORD,
  DEMO_GROUP_TITLE,
  DEMO_HISTORY,
  DEMO_PEOPLE,
} from '../../scripts/demo/seed';
import { gatewayStack } from './support/gateway';
import { stack } from './support/stack';

const ROOT = join(__dirname, '..', '..');

/** `npm run demo` as the package script runs it, aimed at this stack. */
async function runDemo(): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts', 'demo', 'demo.ts')],
    {
      cwd: ROOT,
      timeout: 90_000,
      env: {
        ...process.env,
        DEMO_AUTH_URL: stack.auth.http,
        DEMO_PROFILE_URL: stack.profile.http,
        DEMO_FRIENDS_URL: stack.friends.http,
        DEMO_MESSENGER_URL: stack.messenger.http,
        DEMO_GATEWAY_URL: gatewayStack.http,
      },
    },
  );
  return stdout;
}

async function login(email: string): Promise<{ userId: string; accessToken: string }> {
  const response = await fetch(`${stack.auth.http}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEFAULT_DEMO_PASSWORD }),
  });
  expect({ email, status: response.status }).toEqual({ email, status: 200 });
  return (await response.json()) as { userId: string; accessToken: string };
}

describe('npm run demo', () => {
  let firstRun: string;
  let messenger: MessengerClient | undefined;

  beforeAll(async () => {
    firstRun = await runDemo();
    // Again, as someone who ran it before: finds everything, duplicates nothing.
    await runDemo();
  }, 180_000);
  afterAll(() => messenger?.close());

  it('prints each person’s credentials and the web client to open', () => {
    for (const person of DEMO_PEOPLE) {
      expect(firstRun).toContain(person.email);
      expect(firstRun).toContain(person.nickname);
    }
    expect(firstRun).toContain(DEFAULT_DEMO_PASSWORD);
    expect(firstRun).toContain(`Open ${gatewayStack.http}`);
  });

  it('leaves three people who sign in with that password and are all friends', async () => {
    const sessions = await Promise.all(DEMO_PEOPLE.map((person) => login(person.email)));
    for (const [i, session] of sessions.entries()) {
      const response = await fetch(`${stack.friends.http}/v1/friends`, {
        headers: { authorization: `Bearer ${session.accessToken}` },
      });
      const { items } = (await response.json()) as { items: Array<{ userId: string }> };
      const others = sessions.filter((_, j) => j !== i).map((s) => s.userId);
      expect(items.map((friend) => friend.userId).sort()).toEqual(others.sort());

      const profile = await fetch(`${stack.profile.http}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${session.accessToken}`,
        },
        body: JSON.stringify({ query: '{ me { nickname displayName friendsCount } }' }),
      });
      expect(await profile.json()).toEqual({
        data: {
          me: {
            nickname: DEMO_PEOPLE[i].nickname,
            displayName: DEMO_PEOPLE[i].displayName,
            friendsCount: 2,
          },
        },
      });
    }
  });

  it('leaves one group of the three with the demo history, each message once', async () => {
    const sessions = await Promise.all(DEMO_PEOPLE.map((person) => login(person.email)));
    // The last of the three: a member, not the group's creator.
    const alan = sessions[2];
    messenger = new MessengerClient({
      url: stack.messenger.http,
      token: alan.accessToken,
      reconnection: false,
    });
    await messenger.connect();
    const { chats } = await messenger.listChats();
    const groups = chats.filter((chat) => chat.title === DEMO_GROUP_TITLE);
    expect(groups).toHaveLength(1);
    const [group] = groups;
    expect(group.kind).toBe('group');
    expect(group.members.map((m) => m.userId).sort()).toEqual(sessions.map((s) => s.userId).sort());

    const { messages } = await messenger.history({ chatId: group.id, limit: 100 });
    // Newest first; the demo's lines oldest first, each by its sender.
    expect(
      messages.reverse().map((message) => ({ text: message.text, senderId: message.senderId })),
    ).toEqual(DEMO_HISTORY.map(([sender, text]) => ({ text, senderId: sessions[sender].userId })));
  });
});
