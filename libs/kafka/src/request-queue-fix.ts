/**
 * A workaround for kafkajs 2.2.4 (its last release; tulios/kafkajs#1704 and #1751), applied
 * once when `@app/kafka` loads, before any client exists.
 *
 * Every broker connection's request queue reschedules its check of pending requests after
 * each response, even when nothing is pending and no throttle is in force: the delay is
 * then `throttledUntil - Date.now()` with `throttledUntil` at -1, a negative number. Node
 * runs such a timer after 1 ms, and the check schedules the next one the same way, so each
 * connection keeps a 1 ms timer loop running for its whole life; Node 24 also prints a
 * `TimeoutNegativeWarning` for it at every start. The replacement below schedules a check
 * only when one is due: requests waiting (at the throttle's end, or after kafkajs' own
 * short interval), or a throttle still to run out. A request queued later schedules its own
 * check (`push`), and every response checks the queue (`fulfillRequest`), so nothing waits.
 *
 * Drop this file when kafkajs is replaced or a fixed release exists; {@link
 * patchRequestQueue} refuses to patch a queue whose shape it does not know.
 */

/** The part of kafkajs' internal `RequestQueue` that the fix reads and replaces. */
export interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs' delay (ms) before checking again when requests wait with no throttle. */
export const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

/** `scheduleCheckPendingRequests` without the idle 1 ms loop. */
export function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId) return;
  const throttleLeft = this.throttledUntil - Date.now();
  let delay: number;
  if (this.pending.length > 0) {
    delay = throttleLeft > 0 ? throttleLeft : CHECK_PENDING_REQUESTS_INTERVAL_MS;
  } else if (throttleLeft > 0) {
    delay = throttleLeft;
  } else {
    return;
  }
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
}

/**
 * Replaces `scheduleCheckPendingRequests` on kafkajs' `RequestQueue` prototype; returns
 * false (and changes nothing) when the class no longer has the method this fixes.
 */
export function patchRequestQueue(queueClass: { prototype: object }): boolean {
  const prototype = queueClass.prototype as Partial<RequestQueueInternals>;
  if (typeof prototype.scheduleCheckPendingRequests !== 'function') return false;
  if (typeof prototype.checkPendingRequests !== 'function') return false;
  prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  return true;
}

/** kafkajs' internal module path; it has no `exports` map, so the path resolves as is. */
const REQUEST_QUEUE_MODULE = 'kafkajs/src/network/requestQueue';

// A synchronous load: the prototype must be patched before the first client connects.
// eslint-disable-next-line @typescript-eslint/no-require-imports
patchRequestQueue(require(REQUEST_QUEUE_MODULE) as { prototype: object });
