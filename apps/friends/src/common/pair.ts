/**
 * The id of an unordered pair of users: the same whichever of the two acts. Used as the
 * Kafka key of friendship events (so one pair's events stay in order) and as the name of
 * the lock that serialises changes to one pair.
 */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}
