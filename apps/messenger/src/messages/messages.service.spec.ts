import { Test } from '@nestjs/testing';
import { ErrorCodes, Topics } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { DomainError, TransactionHost } from '@app/platform';
import { ChatsRepository } from '../chats/chats.repository';
import { ClientNotifier } from '../realtime/client-notifier';
import { MessageEntity } from './entities/message.entity';
import { DuplicateClientMessageId, MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';

const SENDER = '11111111-1111-4111-8111-111111111111';
const PEER = '22222222-2222-4222-8222-222222222222';
const CHAT = 'c0000000-0000-4000-8000-000000000001';
const OTHER_CHAT = 'c0000000-0000-4000-8000-000000000002';

const message = (overrides: Partial<MessageEntity> = {}): MessageEntity =>
  Object.assign(new MessageEntity(), {
    id: 'a0000000-0000-4000-8000-000000000001',
    chatId: CHAT,
    senderId: SENDER,
    seq: 1,
    text: 'hello',
    clientMessageId: 'k1',
    createdAt: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  });

const input = (
  overrides: Partial<{ chatId: string; clientMessageId: string; text: string }> = {},
) => ({
  chatId: CHAT,
  clientMessageId: 'k1',
  text: 'hello',
  ...overrides,
});

async function setup() {
  const order: string[] = [];
  const chats: jest.Mocked<
    Pick<ChatsRepository, 'isMember' | 'nextSeq' | 'memberIds' | 'recordMessage' | 'markRead'>
  > = {
    isMember: jest.fn((async () => true) as ChatsRepository['isMember']),
    nextSeq: jest.fn((async () => {
      order.push('nextSeq');
      return 1;
    }) as ChatsRepository['nextSeq']),
    recordMessage: jest.fn((async () => {
      order.push('readModel');
      return [SENDER, PEER];
    }) as ChatsRepository['recordMessage']),
    markRead: jest.fn((async () => true) as ChatsRepository['markRead']),
    memberIds: jest.fn((async () => [SENDER, PEER]) as ChatsRepository['memberIds']),
  };
  const messages: jest.Mocked<
    Pick<MessagesRepository, 'insert' | 'findById' | 'findByClientMessageId' | 'page' | 'after'>
  > = {
    after: jest.fn((async () => []) as MessagesRepository['after']),
    insert: jest.fn(async (m) => {
      order.push('insert');
      return message({ ...m });
    }),
    findById: jest.fn((async () => null) as MessagesRepository['findById']),
    findByClientMessageId: jest.fn(
      (async () => null) as MessagesRepository['findByClientMessageId'],
    ),
    page: jest.fn((async () => []) as MessagesRepository['page']),
  };
  // Generic methods: plain mocks (jest.Mocked cannot express their type parameters).
  const events = {
    publish: jest.fn(async () => {
      order.push('publish');
      return {} as never;
    }),
  };
  const notifier = {
    toUsers: jest.fn(() => void order.push('notify')),
  };
  // Mirrors TransactionHost: after-commit callbacks run only when `work` succeeds.
  const tx = {
    pending: [] as Array<() => void>,
    run: jest.fn(async <T>(work: () => Promise<T>) => {
      tx.pending = [];
      order.push('begin');
      const result = await work();
      order.push('commit');
      tx.pending.forEach((callback) => callback());
      return result;
    }),
    afterCommit: jest.fn((callback: () => void) => void tx.pending.push(callback)),
  };

  const moduleRef = await Test.createTestingModule({
    providers: [
      MessagesService,
      { provide: ChatsRepository, useValue: chats },
      { provide: MessagesRepository, useValue: messages },
      { provide: EventPublisher, useValue: events },
      { provide: ClientNotifier, useValue: notifier },
      { provide: TransactionHost, useValue: tx },
    ],
  }).compile();
  return { service: moduleRef.get(MessagesService), chats, messages, events, notifier, order };
}

async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('MessagesService', () => {
  describe('send', () => {
    it('numbers the message, publishes the event in the same transaction, then pushes it', async () => {
      const { service, chats, messages, events, notifier, order } = await setup();
      chats.nextSeq.mockImplementation(async () => {
        order.push('nextSeq');
        return 5;
      });

      const view = await service.send(SENDER, input());

      expect(messages.insert).toHaveBeenCalledWith(
        expect.objectContaining({
          chatId: CHAT,
          senderId: SENDER,
          seq: 5,
          text: 'hello',
          clientMessageId: 'k1',
        }),
      );
      expect(events.publish).toHaveBeenCalledWith(
        Topics.MessageSent,
        { messageId: view.id, chatId: CHAT, senderId: SENDER, memberIds: [SENDER, PEER] },
        { key: CHAT },
      );
      expect(notifier.toUsers).toHaveBeenCalledWith([SENDER, PEER], 'message:new', {
        message: view,
      });
      expect(chats.recordMessage).toHaveBeenCalledWith(CHAT, SENDER, 5);
      expect(order).toEqual([
        'begin',
        'nextSeq',
        'insert',
        'readModel',
        'publish',
        'commit',
        'notify',
      ]);
      expect(view).toMatchObject({ seq: 5, chatId: CHAT, senderId: SENDER, clientMessageId: 'k1' });
    });

    it('pushes nothing when the transaction fails', async () => {
      const { service, events, notifier } = await setup();
      events.publish.mockRejectedValue(new Error('outbox down'));

      await expect(service.send(SENDER, input())).rejects.toThrow('outbox down');
      expect(notifier.toUsers).not.toHaveBeenCalled();
    });

    it('returns the stored message for a repeated clientMessageId, with no second delivery', async () => {
      const { service, messages, events, notifier } = await setup();
      const original = message({ seq: 3 });
      // The insert finds the key taken, which rolls the transaction (and its seq) back.
      messages.insert.mockRejectedValue(new DuplicateClientMessageId());
      messages.findByClientMessageId.mockResolvedValue(original);

      const view = await service.send(SENDER, input());

      expect(view).toMatchObject({ id: original.id, seq: 3 });
      expect(messages.findByClientMessageId).toHaveBeenCalledWith(SENDER, 'k1');
      expect(events.publish).not.toHaveBeenCalled();
      expect(notifier.toUsers).not.toHaveBeenCalled();
    });

    it('looks nothing up before storing a new message', async () => {
      const { service, messages } = await setup();

      await service.send(SENDER, input());

      expect(messages.findByClientMessageId).not.toHaveBeenCalled();
    });

    it('refuses a clientMessageId already used in another chat', async () => {
      const { service, messages } = await setup();
      messages.insert.mockRejectedValue(new DuplicateClientMessageId());
      messages.findByClientMessageId.mockResolvedValue(message({ chatId: OTHER_CHAT }));

      const error = await domainError(service.send(SENDER, input()));

      expect(error.code).toBe(ErrorCodes.VALIDATION_FAILED);
    });

    it('refuses a sender who is not a member', async () => {
      const { service, chats, messages } = await setup();
      chats.isMember.mockResolvedValue(false);

      const error = await domainError(service.send(SENDER, input()));

      expect(error.code).toBe(ErrorCodes.MESSENGER_CHAT_NOT_MEMBER);
      expect(messages.insert).not.toHaveBeenCalled();
    });
  });

  describe('history', () => {
    it('pages from the newest message with the default limit', async () => {
      const { service, messages } = await setup();
      messages.page.mockResolvedValue([message({ seq: 2 }), message({ seq: 1 })]);

      const page = await service.history(SENDER, { chatId: CHAT });

      expect(messages.page).toHaveBeenCalledWith(CHAT, null, 50);
      expect(page.map((m) => m.seq)).toEqual([2, 1]);
    });

    it('continues below the seq of the `before` message', async () => {
      const { service, messages } = await setup();
      messages.findById.mockResolvedValue(
        message({ id: 'a0000000-0000-4000-8000-000000000030', seq: 30 }),
      );

      await service.history(SENDER, {
        chatId: CHAT,
        before: 'a0000000-0000-4000-8000-000000000030',
        limit: 10,
      });

      expect(messages.page).toHaveBeenCalledWith(CHAT, 30, 10);
    });

    it('refuses a `before` from another chat', async () => {
      const { service, messages } = await setup();
      messages.findById.mockResolvedValue(message({ chatId: OTHER_CHAT }));

      const error = await domainError(
        service.history(SENDER, { chatId: CHAT, before: 'a0000000-0000-4000-8000-000000000001' }),
      );

      expect(error.code).toBe(ErrorCodes.VALIDATION_FAILED);
      expect(messages.page).not.toHaveBeenCalled();
    });

    it('refuses a non-member', async () => {
      const { service, chats } = await setup();
      chats.isMember.mockResolvedValue(false);

      const error = await domainError(service.history(SENDER, { chatId: CHAT }));

      expect(error.code).toBe(ErrorCodes.MESSENGER_CHAT_NOT_MEMBER);
    });
  });

  describe('sync', () => {
    it('returns what each chat has after the given seq, capped, with hasMore', async () => {
      const { service, messages } = await setup();
      messages.after.mockResolvedValue([
        message({ seq: 4 }),
        message({ seq: 5 }),
        message({ seq: 6 }),
      ]);

      const [synced] = await service.sync(SENDER, {
        chats: [{ chatId: CHAT, afterSeq: 3 }],
        limit: 2,
      });

      // One more than the cap is read to know whether more follow.
      expect(messages.after).toHaveBeenCalledWith(CHAT, 3, 3);
      expect(synced.messages.map((m) => m.seq)).toEqual([4, 5]);
      expect(synced.hasMore).toBe(true);
    });

    it('refuses the whole call when one chat is not the caller’s', async () => {
      const { service, chats, messages } = await setup();
      chats.isMember.mockImplementation(async (chatId) => chatId === CHAT);

      const error = await domainError(
        service.sync(SENDER, {
          chats: [
            { chatId: CHAT, afterSeq: 0 },
            { chatId: OTHER_CHAT, afterSeq: 0 },
          ],
        }),
      );

      expect(error.code).toBe(ErrorCodes.MESSENGER_CHAT_NOT_MEMBER);
      expect(messages.after).not.toHaveBeenCalledWith(
        OTHER_CHAT,
        expect.anything(),
        expect.anything(),
      );
    });
  });

  describe('markRead', () => {
    it('moves the marker and tells the members after commit', async () => {
      const { service, chats, messages, notifier } = await setup();
      messages.findById.mockResolvedValue(message({ seq: 7 }));

      await service.markRead(PEER, { chatId: CHAT, messageId: message().id });

      expect(chats.markRead).toHaveBeenCalledWith(CHAT, PEER, 7);
      expect(notifier.toUsers).toHaveBeenCalledWith([SENDER, PEER], 'message:read', {
        chatId: CHAT,
        userId: PEER,
        messageId: message().id,
      });
    });

    it('says nothing when the marker was already further', async () => {
      const { service, chats, messages, notifier } = await setup();
      messages.findById.mockResolvedValue(message({ seq: 2 }));
      chats.markRead.mockResolvedValue(false);

      await service.markRead(PEER, { chatId: CHAT, messageId: message().id });

      expect(notifier.toUsers).not.toHaveBeenCalled();
    });

    it('refuses a message of another chat', async () => {
      const { service, chats, messages } = await setup();
      messages.findById.mockResolvedValue(message({ chatId: OTHER_CHAT }));

      const error = await domainError(
        service.markRead(PEER, { chatId: CHAT, messageId: message().id }),
      );

      expect(error.code).toBe(ErrorCodes.VALIDATION_FAILED);
      expect(chats.markRead).not.toHaveBeenCalled();
    });
  });

  describe('typing', () => {
    it('relays to the other members only', async () => {
      const { service, notifier } = await setup();

      await service.typing(SENDER, CHAT);

      expect(notifier.toUsers).toHaveBeenCalledWith(
        [SENDER, PEER],
        'typing',
        { chatId: CHAT, userId: SENDER },
        { exceptUserId: SENDER },
      );
    });

    it('refuses a non-member and relays nothing', async () => {
      const { service, chats, notifier } = await setup();
      chats.memberIds.mockResolvedValue([PEER]);

      const error = await domainError(service.typing(SENDER, CHAT));

      expect(error.code).toBe(ErrorCodes.MESSENGER_CHAT_NOT_MEMBER);
      expect(notifier.toUsers).not.toHaveBeenCalled();
    });
  });
});
