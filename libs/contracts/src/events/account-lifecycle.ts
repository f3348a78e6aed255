/**
 * An account has two events, on two topics: `auth.user.registered.v1` first and
 * `auth.user.deleted.v1` last. Kafka orders nothing across topics, so a consumer may see
 * the deletion first; applied after it, the registration would recreate what the
 * deletion erased. Consumers pass these versions of the stream `account:<userId>` to
 * libs/kafka's `VersionGate`, which then skips a registration that arrives too late
 * (ADR 0013).
 */
export const AccountLifecycle = {
  stream: (userId: string): string => `account:${userId}`,
  registered: 1,
  deleted: 2,
} as const;
