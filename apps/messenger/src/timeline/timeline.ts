import { Injectable } from '@nestjs/common';
import { SocketApi, Topics } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { chatNotFound } from '../chats/chats.errors';
import type { MessageView } from '../messages/message.view';
import { TimelineChange, TimelineRepository, TimelineRow } from './timeline.repository';

export type TimelineEventView = SocketApi.TimelineEvent;

/**
 * Appends changes to a chat's timeline — each takes the chat's next seq — and publishes
 * each as `messenger.chat.changed.v1` through the outbox, in the caller's transaction.
 * (`message.created` is stored with its message by the send path and published as
 * `messenger.message.sent.v1`.)
 */
@Injectable()
export class Timeline {
  constructor(
    private readonly timeline: TimelineRepository,
    private readonly events: EventPublisher,
  ) {}

  /** Must run inside a transaction. Throws MESSENGER.CHAT_NOT_FOUND for a missing chat. */
  async record(chatId: string, changes: readonly TimelineChange[]): Promise<TimelineRow[]> {
    const stored = await this.timeline.append(chatId, changes);
    if (!stored) throw chatNotFound();
    for (const event of stored) {
      await this.events.publish(
        Topics.ChatChanged,
        {
          chatId,
          seq: event.seq,
          type: event.type as Exclude<SocketApi.TimelineEventType, 'message.created'>,
          actorId: event.actorId,
        },
        { key: chatId },
      );
    }
    return stored;
  }
}

/** An event as clients see it; message events carry the message as it is now. */
export function toTimelineEventView(
  row: TimelineRow,
  messages: ReadonlyMap<string, MessageView> = new Map(),
): TimelineEventView {
  const view: TimelineEventView = {
    seq: row.seq,
    type: row.type,
    actorId: row.actorId,
    at: row.at.toISOString(),
  };
  if (row.type.startsWith('message.') && row.messageId) {
    const message = messages.get(row.messageId);
    if (message) view.message = message;
    view.messageId = row.messageId;
  }
  if (row.type.startsWith('reaction.')) {
    view.messageId = row.messageId ?? undefined;
    view.emoji = row.emoji ?? undefined;
  }
  if (row.userId) view.userId = row.userId;
  if (row.role) view.role = row.role;
  if (row.title !== null) view.title = row.title;
  return view;
}
