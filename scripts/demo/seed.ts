// What `npm run demo` creates, through the public APIs only: three people who are all
// friends, with display names and bios, and a group chat with some history. Everything is
// found again by a second run (same accounts, same group, the same messages by their
// clientMessageId), so running it twice leaves one of each.
import { createFriendsClient, type FriendsClient } from '@app/friends-client';
import {
  type Account,
  ApiError,
  call,
  connectMessenger,
  eventually,
  graphql,
  type MessengerSocket,
  type Session,
  signIn,
} from './clients';

/** Where the services answer: `npm run up`'s ports unless the environment says otherwise. */
export interface DemoEndpoints {
  auth: string;
  profile: string;
  friends: string;
  messenger: string;
}

export interface DemoPerson {
  email: string;
  nickname: string;
  displayName: string;
  bio: string;
}

export const DEMO_PEOPLE = [
  {
    email: 'ada.demo@example.com',
    nickname: 'ada_demo',
    displayName: 'Ada Lovelace',
    bio: 'Writes programs for engines that do not exist yet.',
  },
  {
    email: 'grace.demo@example.com',
    nickname: 'grace_demo',
    displayName: 'Grace Hopper',
    bio: 'Found the first actual bug.',
  },
  {
    email: 'alan.demo@example.com',
    nickname: 'alan_demo',
    displayName: 'Alan Turing',
    bio: 'Can machines chat?',
  },
] as const satisfies readonly DemoPerson[];

/** The password of every demo account unless `DEMO_PASSWORD` sets another. */
export const DEFAULT_DEMO_PASSWORD = 'demo-password-1234';

export const DEMO_GROUP_TITLE = 'Demo: the pioneers';

/** The group's history: who says what, oldest first. */
export const DEMO_HISTORY: ReadonlyArray<readonly [sender: number, text: string]> = [
  [0, 'Welcome to the group! This chat was created by `npm run demo`.'],
  [1, 'Hello both. Who wants to review my compiler this week?'],
  [2, 'Happy to, if it can tell me whether it halts.'],
  [0, 'It halts when it is done. Usually.'],
  [1, 'Open a second window and sign in as one of us to see messages arrive live.'],
];

export interface DemoUser extends DemoPerson {
  userId: string;
  password: string;
}

export interface DemoResult {
  users: DemoUser[];
  chat: { id: string; title: string; messages: number };
}

const log = (line: string) => process.stdout.write(`[demo] ${line}\n`);

/** Creates (or finds again) the demo people, their friendships and their group chat. */
export async function seedDemo(endpoints: DemoEndpoints, password: string): Promise<DemoResult> {
  const sessions: Session[] = [];
  for (const person of DEMO_PEOPLE) {
    const account: Account = { email: person.email, password, nickname: person.nickname };
    sessions.push(await signIn(endpoints.auth, account));
    log(`signed in as ${person.nickname}`);
  }
  const users = DEMO_PEOPLE.map((person, i) => ({
    ...person,
    userId: sessions[i].userId,
    password,
  }));

  for (const [i, session] of sessions.entries()) {
    await describeProfile(endpoints.profile, session, DEMO_PEOPLE[i]);
  }

  const friends = sessions.map((s) =>
    createFriendsClient(endpoints.friends, { token: s.accessToken }),
  );
  for (let a = 0; a < sessions.length; a += 1) {
    for (let b = a + 1; b < sessions.length; b += 1) {
      await befriend(friends[a], friends[b], sessions[a].userId, sessions[b].userId);
    }
  }
  log('all three are friends');

  const sockets = await Promise.all(
    sessions.map((s) => connectMessenger(endpoints.messenger, s.accessToken)),
  );
  try {
    const chatId = await findOrCreateGroup(
      sockets[0],
      sessions.slice(1).map((s) => s.userId),
    );
    for (const [index, [sender, text]] of DEMO_HISTORY.entries()) {
      // The same clientMessageId for the same line of the same chat: a second run sends the
      // message again and messenger keeps it once.
      await call(sockets[sender], 'message:send', {
        chatId,
        clientMessageId: `demo-${chatId}-${index}`,
        text,
      });
    }
    log(`group "${DEMO_GROUP_TITLE}" has its ${DEMO_HISTORY.length} messages`);
    return { users, chat: { id: chatId, title: DEMO_GROUP_TITLE, messages: DEMO_HISTORY.length } };
  } finally {
    for (const socket of sockets) socket.close();
  }
}

/** Sets display name and bio once profile has created the profile (from auth's event). */
async function describeProfile(profileUrl: string, session: Session, person: DemoPerson) {
  await eventually(
    () =>
      graphql(
        profileUrl,
        session.accessToken,
        'mutation Describe($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }',
        { input: { displayName: person.displayName, bio: person.bio } },
      ),
    ['PROFILE.NOT_FOUND'],
  );
}

/** Makes two users friends: a request and its acceptance, or whatever of that is left. */
async function befriend(from: FriendsClient, to: FriendsClient, fromId: string, toId: string) {
  const { data: friendsOfFrom } = await from.GET('/v1/friends', {
    params: { query: { limit: 100 } },
  });
  if (friendsOfFrom?.items.some((friend) => friend.userId === toId)) return;

  const requestId = await eventually(async () => {
    const { data, error } = await from.POST('/v1/friends/requests', { body: { userId: toId } });
    if (data) return data.id;
    if (error.code !== 'FRIENDS.ALREADY_PENDING') throw new ApiError(error.code, error.message);
    // Asked before (an interrupted run): accept the pending request, whoever sent it.
    const pending = await incomingFrom(to, fromId);
    if (pending) return pending;
    const reverse = await incomingFrom(from, toId);
    if (reverse) {
      await accept(from, reverse);
      return undefined;
    }
    throw new ApiError(error.code, 'a request is pending but neither side sees it');
  }, ['FRIENDS.USER_NOT_FOUND']);
  if (requestId) await accept(to, requestId);
}

async function incomingFrom(client: FriendsClient, fromId: string): Promise<string | undefined> {
  const { data } = await client.GET('/v1/friends/requests', {
    params: { query: { direction: 'incoming', limit: 100 } },
  });
  return data?.items.find((request) => request.fromUserId === fromId)?.id;
}

async function accept(client: FriendsClient, requestId: string): Promise<void> {
  const { error } = await client.POST('/v1/friends/requests/{id}/accept', {
    params: { path: { id: requestId } },
  });
  if (error) throw new ApiError(error.code, error.message);
}

/** The owner's group with the demo title, created when it has none. */
async function findOrCreateGroup(owner: MessengerSocket, memberIds: string[]): Promise<string> {
  const { chats } = await call(owner, 'chat:list', {});
  const existing = chats.find((chat) => chat.kind === 'group' && chat.title === DEMO_GROUP_TITLE);
  if (existing) return existing.id;
  // messenger learns of new users and friendships from events: it may not know them yet.
  const { chat } = await eventually(
    () => call(owner, 'chat:create', { memberIds, title: DEMO_GROUP_TITLE }),
    ['MESSENGER.INVALID_MEMBERS', 'MESSENGER.NOT_FRIENDS'],
  );
  log(`created the group "${DEMO_GROUP_TITLE}"`);
  return chat.id;
}
