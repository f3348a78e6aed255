import { Topic, Topics } from './topics';

/** What the event catalog says of one topic, beside its payload schema. */
export interface TopicDescription {
  /** What happened, for the people who consume it. */
  summary: string;
  /** What the record key is: records of one key keep their order. */
  key: string;
  /**
   * Consumer groups (one per consuming service) that subscribe in the code today. A spec
   * checks this list against the `@EventPattern` handlers of every app.
   */
  consumers: readonly string[];
}

/**
 * The event catalog. A topic's producer is the service its name starts with
 * (`friends.request.sent.v1` → friends); the AsyncAPI document `docs/asyncapi.yaml` is
 * generated from this, the topic names and the payload schemas.
 */
export const EventCatalog: Record<Topic, TopicDescription> = {
  [Topics.UserRegistered]: {
    summary: 'An account was created (credentials stored, nickname reserved).',
    key: 'userId',
    consumers: ['friends', 'messenger', 'profile'],
  },
  [Topics.UserDeleted]: {
    summary: 'An account was deleted; every service erases what it holds of that user.',
    key: 'userId',
    consumers: ['friends', 'messenger', 'profile'],
  },
  [Topics.SessionRevoked]: {
    summary:
      "A session ended (logout, refresh-token reuse, deletion, suspension, or its user's " +
      'choice): every service refuses its access tokens from now on.',
    key: 'userId',
    consumers: ['friends', 'messenger', 'profile'],
  },
  [Topics.AccountSuspended]: {
    summary:
      'An administrator suspended an account (for audit): it cannot log in or refresh, and ' +
      'each of its sessions ended with auth.session.revoked.v1.',
    key: 'userId',
    consumers: [],
  },
  [Topics.AccountReinstated]: {
    summary: 'An administrator lifted a suspension (for audit): the account may log in again.',
    key: 'userId',
    consumers: [],
  },
  [Topics.ProfileUpdated]: {
    summary: "A user's public profile (nickname, display name, avatar) changed.",
    key: 'userId',
    consumers: ['messenger'],
  },
  [Topics.FriendRequestSent]: {
    summary: 'A user asked another to be friends.',
    key: 'the pair id: both user ids, sorted, joined with ":"',
    consumers: ['messenger'],
  },
  [Topics.FriendRequestAccepted]: {
    summary: 'The addressee accepted a friend request: the two users are friends.',
    key: 'the pair id: both user ids, sorted, joined with ":"',
    consumers: ['messenger', 'profile'],
  },
  [Topics.FriendRequestDeclined]: {
    summary: 'The addressee declined a friend request.',
    key: 'the pair id: both user ids, sorted, joined with ":"',
    consumers: [],
  },
  [Topics.FriendshipRemoved]: {
    summary: 'Two users are no longer friends (unfriended, or one blocked the other).',
    key: 'the pair id: both user ids, sorted, joined with ":"',
    consumers: ['messenger', 'profile'],
  },
  [Topics.FriendRequestCancelled]: {
    summary: 'A pending request was withdrawn, or voided because one side blocked the other.',
    key: 'the pair id: both user ids, sorted, joined with ":"',
    consumers: [],
  },
  [Topics.UserBlocked]: {
    summary: 'A user blocked another: no requests, no friendship, no messages between them.',
    key: 'the pair id: both user ids, sorted, joined with ":"',
    consumers: ['messenger'],
  },
  [Topics.UserUnblocked]: {
    summary: 'A user lifted a block.',
    key: 'the pair id: both user ids, sorted, joined with ":"',
    consumers: ['messenger'],
  },
  [Topics.MessageSent]: {
    summary: 'A message was stored in a chat (for analytics and notifications).',
    key: 'chatId',
    consumers: [],
  },
  [Topics.ChatChanged]: {
    summary:
      "A chat's timeline changed: a message edited or deleted, a reaction, a membership or " +
      'role change, a rename (for analytics and audit).',
    key: 'chatId',
    consumers: [],
  },
};

/** The service that produces a topic: the first segment of its name. */
export const producerOf = (topic: Topic): string => topic.slice(0, topic.indexOf('.'));
