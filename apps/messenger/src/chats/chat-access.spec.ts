import { ErrorCodes } from '@app/contracts';
import type { VersionGate } from '@app/kafka';
import type { FriendshipChecker } from '../friends-client/friendship-checker';
import type { FriendshipReplica } from '../friends-client/friendship-replica.repository';
import type { FriendshipRevocations } from '../friends-client/friendship-revocations';
import { ChatAccess } from './chat-access';
import type { ChatRoster, ChatsRepository, Membership } from './chats.repository';
import type { MembershipCache } from './membership-cache';

const ME = '11111111-1111-4111-8111-111111111111';
const PEER = '22222222-2222-4222-8222-222222222222';
const CHAT = 'c0000000-0000-4000-8000-000000000001';

const direct = (peerFriendly: boolean): Membership => ({
  chatId: CHAT,
  kind: 'direct',
  role: 'member',
  memberIds: [ME, PEER],
  peerId: PEER,
  peerFriendly,
});

function setup(
  membership: Membership | null,
  truth = { friends: true, blocked: false },
  cached: ChatRoster | null = null,
  deletedAccounts: string[] = [],
  revokedLately = false,
) {
  const chats = {
    membership: jest.fn(async () => membership),
    unknownUsers: jest.fn(async (ids: string[]) => ids.filter((id) => id.startsWith('9'))),
  };
  const friendships: Pick<FriendshipChecker, 'check'> & { check: jest.Mock } = {
    check: jest.fn(async () => truth),
  };
  const replica = {
    relationsOf: jest.fn(async (_: string, ids: string[]) =>
      ids.map((userId) => ({ userId, friends: userId === PEER, blocked: false })),
    ),
  };
  const revocations = { revokedLately: jest.fn(() => revokedLately) };
  const cache = { roster: jest.fn(async () => cached), forget: jest.fn() };
  const versions = {
    reached: jest.fn(async (stream: string, version: number) =>
      deletedAccounts.some((id) => stream === `account:${id}` && version === 2),
    ),
  };
  const access = new ChatAccess(
    chats as unknown as ChatsRepository,
    friendships,
    replica as unknown as FriendshipReplica,
    revocations as unknown as FriendshipRevocations,
    cache as unknown as MembershipCache,
    versions as unknown as VersionGate,
  );
  return { access, chats, friendships, cache };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (e: { code?: string }) => e.code,
  );

describe('ChatAccess', () => {
  it('answers CHAT.NOT_MEMBER for a chat the caller is not in (or that does not exist)', async () => {
    const { access } = setup(null);
    expect(await codeOf(access.member(CHAT, ME))).toBe(ErrorCodes.MESSENGER_CHAT_NOT_MEMBER);
  });

  it('lets a direct chat write on the replica’s "friends" without asking friends', async () => {
    const { access, friendships } = setup(direct(true));
    expect(await codeOf(access.writer(CHAT, ME))).toBe('ok');
    expect(friendships.check).not.toHaveBeenCalled();
  });

  it('asks friends when they announced an unfriend or block of the pair the replica has not seen', async () => {
    const { access, friendships } = setup(
      direct(true),
      { friends: false, blocked: false },
      null,
      [],
      true,
    );
    expect(await codeOf(access.writer(CHAT, ME))).toBe(ErrorCodes.MESSENGER_NOT_FRIENDS);
    expect(friendships.check).toHaveBeenCalledWith(ME, PEER);
  });

  it('confirms any other replica answer with friends, and refuses when they are not friends', async () => {
    const refused = setup(direct(false), { friends: false, blocked: false });
    expect(await codeOf(refused.access.writer(CHAT, ME))).toBe(ErrorCodes.MESSENGER_NOT_FRIENDS);
    expect(refused.friendships.check).toHaveBeenCalledWith(ME, PEER);

    const blocked = setup(direct(false), { friends: true, blocked: true });
    expect(await codeOf(blocked.access.writer(CHAT, ME))).toBe(ErrorCodes.MESSENGER_NOT_FRIENDS);

    // The replica had not heard of the friendship yet: friends says they are friends.
    const lagging = setup(direct(false), { friends: true, blocked: false });
    expect(await codeOf(lagging.access.writer(CHAT, ME))).toBe('ok');
  });

  it('refuses group-only changes in a direct chat and roles below the one needed', async () => {
    const { access } = setup(direct(true));
    expect(await codeOf(access.groupRole(CHAT, ME, ['owner']))).toBe(
      ErrorCodes.MESSENGER_NOT_A_GROUP,
    );
    const member = setup({ ...direct(true), kind: 'group', peerId: null, role: 'member' });
    expect(await codeOf(member.access.groupRole(CHAT, ME, ['owner', 'admin']))).toBe(
      ErrorCodes.MESSENGER_FORBIDDEN,
    );
  });

  it('refuses users unknown to messenger and to friends before known strangers', async () => {
    const { access, friendships } = setup(null, { friends: false, blocked: false });
    const unknown = '99999999-9999-4999-8999-999999999999';
    const stranger = '33333333-3333-4333-8333-333333333333';
    expect(await codeOf(access.mayAdd(ME, [PEER, unknown, stranger]))).toBe(
      ErrorCodes.MESSENGER_INVALID_MEMBERS,
    );
    // Only the unknown id was asked about: the stranger's friendship was never looked at.
    expect(friendships.check.mock.calls).toEqual([[ME, unknown]]);
    expect(await codeOf(access.mayAdd(ME, [PEER, stranger]))).toBe(
      ErrorCodes.MESSENGER_NOT_FRIENDS,
    );
    expect(await codeOf(access.mayAdd(ME, [PEER]))).toBe('ok');
  });

  it('lets a friend the replicas have not heard of yet be added, as friends confirms', async () => {
    // Just registered and befriended: messenger's users and friendship replicas both lag.
    const newcomer = '99999999-9999-4999-8999-999999999998';
    const { access, friendships } = setup(null, { friends: true, blocked: false });
    expect(await codeOf(access.mayAdd(ME, [newcomer]))).toBe('ok');
    expect(friendships.check).toHaveBeenCalledWith(ME, newcomer);
  });

  it('still refuses an unknown id that friends relates to the actor only by a block', async () => {
    const newcomer = '99999999-9999-4999-8999-999999999998';
    const { access } = setup(null, { friends: true, blocked: true });
    expect(await codeOf(access.mayAdd(ME, [newcomer]))).toBe(ErrorCodes.MESSENGER_INVALID_MEMBERS);
  });

  it('refuses an account messenger has erased even while friends still lists the friendship', async () => {
    const gone = '99999999-9999-4999-8999-999999999997';
    const { access } = setup(null, { friends: true, blocked: false }, null, [gone]);
    expect(await codeOf(access.mayAdd(ME, [PEER, gone]))).toBe(
      ErrorCodes.MESSENGER_INVALID_MEMBERS,
    );
  });

  describe('from the membership cache', () => {
    const roster = (peerFriendly: boolean): ChatRoster => ({
      kind: 'direct',
      memberIds: [ME, PEER],
      roles: new Map([
        [ME, 'member'],
        [PEER, 'member'],
      ]),
      peerFriendly,
    });

    it('takes a cached "member" without a query, with every member id', async () => {
      const { access, chats } = setup(null, undefined, roster(true));
      await expect(access.cachedWriter(CHAT, ME)).resolves.toMatchObject({
        kind: 'direct',
        memberIds: [ME, PEER],
        peerId: PEER,
      });
      expect(chats.membership).not.toHaveBeenCalled();
    });

    it('confirms a cached "not a member" in the database, and forgets the stale entry', async () => {
      const stranger = '33333333-3333-4333-8333-333333333333';
      const refused = setup(null, undefined, roster(true));
      expect(await codeOf(refused.access.cachedMember(CHAT, stranger))).toBe(
        ErrorCodes.MESSENGER_CHAT_NOT_MEMBER,
      );
      expect(refused.chats.membership).toHaveBeenCalledWith(CHAT, stranger, true);

      const joined = setup(
        { ...direct(true), kind: 'group', peerId: null },
        undefined,
        roster(true),
      );
      expect(await codeOf(joined.access.cachedMember(CHAT, stranger))).toBe('ok');
      expect(joined.cache.forget).toHaveBeenCalledWith(CHAT);
    });

    it('applies the friendship rule to a cached direct chat the replica doubts', async () => {
      const { access, friendships } = setup(
        null,
        { friends: false, blocked: false },
        roster(false),
      );
      expect(await codeOf(access.cachedWriter(CHAT, ME))).toBe(ErrorCodes.MESSENGER_NOT_FRIENDS);
      expect(friendships.check).toHaveBeenCalledWith(ME, PEER);
    });
  });
});
