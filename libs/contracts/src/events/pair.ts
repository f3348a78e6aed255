/**
 * The id of an unordered pair of users, the aggregate behind every `friends.*` event: the
 * smaller user id, `:`, the larger — the same whichever of the two acts. It is the Kafka
 * key of those events, so one pair's records share a partition on each topic.
 */
export function pairId(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}
