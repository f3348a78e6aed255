/**
 * The Redis pub/sub channel on which friends announces, right after committing it, that
 * two users stopped being friends or one of them blocked the other. The message is the
 * pair's {@link pairId}. messenger hears it well before the `friends.*` event itself and,
 * for that pair, asks friends instead of trusting its replica's "friends" until the event
 * has surely arrived (docs/adr/0038). A lost announcement leaves only the event's own lag.
 *
 * One channel for every stack on a Redis, like the session revocations: pair ids are
 * unique, so another stack's announcement only costs one `AreFriends` call.
 */
export const FRIENDSHIP_REVOKED_CHANNEL = 'friends:friendship-revoked';
