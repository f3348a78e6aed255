import { Test } from '@nestjs/testing';
import { ErrorCodes } from '@app/contracts';
import { DomainError, TransactionHost } from '@app/platform';
import { Friendship, FriendshipChecker } from '../friends-client/friendship-checker';
import { MessageEntity } from '../messages/entities/message.entity';
import { ChatListRow, ChatsRepository } from './chats.repository';
import { ChatsService, directKeyOf } from './chats.service';
import { ChatEntity } from './entities/chat.entity';

const ME = '11111111-1111-4111-8111-111111111111';
const FRIEND = '22222222-2222-4222-8222-222222222222';
const OTHER = '33333333-3333-4333-8333-333333333333';

const chat = (overrides: Partial<ChatEntity> = {}): ChatEntity =>
  Object.assign(new ChatEntity(), {
    id: 'c0000000-0000-4000-8000-000000000001',
    kind: 'direct',
    title: null,
    createdBy: ME,
    directKey: directKeyOf(ME, FRIEND),
    lastSeq: 0,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  });

async function setup(relation: Friendship = { friends: true, blocked: false }) {
  const chats: jest.Mocked<
    Pick<
      ChatsRepository,
      'findDirectByKey' | 'insertIfAbsent' | 'addMembers' | 'memberIds' | 'listForUser'
    >
  > = {
    findDirectByKey: jest.fn((async () => null) as ChatsRepository['findDirectByKey']),
    insertIfAbsent: jest.fn(async (c) => chat({ ...c })),
    addMembers: jest.fn((async () => undefined) as ChatsRepository['addMembers']),
    memberIds: jest.fn((async () => [ME, FRIEND].sort()) as ChatsRepository['memberIds']),
    listForUser: jest.fn((async () => []) as ChatsRepository['listForUser']),
  };
  const friendships: jest.Mocked<FriendshipChecker> = {
    check: jest.fn((async () => relation) as FriendshipChecker['check']),
  };
  const tx: Pick<TransactionHost, 'run'> = {
    run: jest.fn(<T>(work: () => Promise<T>) => work()) as TransactionHost['run'],
  };
  const moduleRef = await Test.createTestingModule({
    providers: [
      ChatsService,
      { provide: ChatsRepository, useValue: chats },
      { provide: FriendshipChecker, useValue: friendships },
      { provide: TransactionHost, useValue: tx },
    ],
  }).compile();
  return { service: moduleRef.get(ChatsService), chats, friendships };
}

async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('ChatsService', () => {
  describe('create a direct chat', () => {
    it('creates it between friends with both as members', async () => {
      const { service, chats, friendships } = await setup();

      const view = await service.create(ME, { memberIds: [FRIEND] });

      expect(friendships.check).toHaveBeenCalledWith(ME, FRIEND);
      expect(chats.insertIfAbsent).toHaveBeenCalledWith(
        expect.objectContaining({
          kind: 'direct',
          title: null,
          directKey: directKeyOf(ME, FRIEND),
        }),
      );
      expect(chats.addMembers).toHaveBeenCalledWith(view.id, [ME, FRIEND].sort());
      expect(view).toMatchObject({ kind: 'direct', title: null, memberIds: [ME, FRIEND].sort() });
    });

    it('refuses users who are not friends', async () => {
      const { service, chats } = await setup({ friends: false, blocked: false });

      const error = await domainError(service.create(ME, { memberIds: [OTHER] }));

      expect(error.code).toBe(ErrorCodes.MESSENGER_NOT_FRIENDS);
      expect(chats.insertIfAbsent).not.toHaveBeenCalled();
    });

    it('refuses friends when one blocks the other, with the same code', async () => {
      const { service } = await setup({ friends: true, blocked: true });

      const error = await domainError(service.create(ME, { memberIds: [FRIEND] }));

      expect(error.code).toBe(ErrorCodes.MESSENGER_NOT_FRIENDS);
    });

    it('returns the existing chat of the pair instead of a second one', async () => {
      const { service, chats } = await setup();
      const existing = chat({ id: 'c0000000-0000-4000-8000-0000000000ee' });
      chats.findDirectByKey.mockResolvedValue(existing);

      const view = await service.create(FRIEND, { memberIds: [ME] });

      expect(view.id).toBe(existing.id);
      expect(chats.findDirectByKey).toHaveBeenCalledWith(directKeyOf(ME, FRIEND));
      expect(chats.insertIfAbsent).not.toHaveBeenCalled();
    });

    it('returns the winner when a concurrent request created the pair first', async () => {
      const { service, chats } = await setup();
      const winner = chat({ id: 'c0000000-0000-4000-8000-0000000000aa' });
      chats.findDirectByKey.mockResolvedValueOnce(null).mockResolvedValueOnce(winner);
      chats.insertIfAbsent.mockResolvedValue(null);

      const view = await service.create(ME, { memberIds: [FRIEND] });

      expect(view.id).toBe(winner.id);
      expect(chats.addMembers).not.toHaveBeenCalled();
    });

    it('treats the caller listed among the members as the caller', async () => {
      const { service } = await setup();

      const view = await service.create(ME, { memberIds: [FRIEND, ME, FRIEND] });

      expect(view.kind).toBe('direct');
    });
  });

  describe('create a group chat', () => {
    it('adds the creator and the members without a friendship check', async () => {
      const { service, chats, friendships } = await setup();

      const view = await service.create(ME, { memberIds: [FRIEND, OTHER], title: ' Team ' });

      expect(friendships.check).not.toHaveBeenCalled();
      expect(chats.insertIfAbsent).toHaveBeenCalledWith(
        expect.objectContaining({ kind: 'group', title: 'Team', directKey: null }),
      );
      expect(view.memberIds).toEqual([ME, FRIEND, OTHER].sort());
    });

    it('defaults the title to empty', async () => {
      const { service, chats } = await setup();

      await service.create(ME, { memberIds: [FRIEND, OTHER] });

      expect(chats.insertIfAbsent).toHaveBeenCalledWith(expect.objectContaining({ title: '' }));
    });
  });

  it('refuses a chat with nobody but the caller', async () => {
    const { service } = await setup();

    const error = await domainError(service.create(ME, { memberIds: [ME] }));

    expect(error.code).toBe(ErrorCodes.MESSENGER_INVALID_MEMBERS);
  });

  it('lists chats with their last message and unread count', async () => {
    const { service, chats } = await setup();
    const last = Object.assign(new MessageEntity(), {
      id: 'a0000000-0000-4000-8000-000000000007',
      chatId: chat().id,
      senderId: FRIEND,
      seq: 7,
      text: 'hi',
      clientMessageId: 'k7',
      createdAt: new Date('2026-01-02T00:00:00Z'),
    });
    const rows: ChatListRow[] = [
      {
        chat: chat({ lastSeq: 7 }),
        memberIds: [ME, FRIEND],
        members: [],
        unreadCount: 3,
        lastMessage: last,
      },
      {
        chat: chat({ id: 'c2', lastSeq: 0 }),
        memberIds: [ME, OTHER],
        members: [],
        unreadCount: 0,
        lastMessage: null,
      },
    ];
    chats.listForUser.mockResolvedValue(rows);

    const list = await service.list(ME);

    expect(list[0]).toMatchObject({
      unreadCount: 3,
      lastMessage: { id: last.id, seq: 7, text: 'hi', createdAt: '2026-01-02T00:00:00.000Z' },
    });
    expect(list[1]).toMatchObject({ unreadCount: 0, lastMessage: null });
  });
});
