/**
 * Waits for `work` to settle, but no longer than `ms`; never rejects. For shutdown
 * steps that may legitimately hang: kafkajs disconnects only after in-flight requests
 * finish, and the broker holds a JoinGroup until the rebalance completes — after a crash
 * that is a whole session timeout. The broker drops an abandoned member by itself.
 */
export async function settleWithin(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.resolve(work).catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** How long shutdown waits for a Kafka client to disconnect. */
export const DISCONNECT_TIMEOUT_MS = 5_000;
