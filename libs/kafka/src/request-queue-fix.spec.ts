// kafkajs' own request queue, as every broker connection uses it, with the fix applied the
// way services get it: by loading the connection (which imports ./request-queue-fix).
import './kafka.connection';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: {
  maxInFlightRequests: number | null;
  requestTimeout: number;
  enforceRequestTimeout: boolean;
  clientId: string;
  broker: string;
  logger: { debug(): void; warn(): void };
}) => {
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  push(request: object): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(ms: number): void;
  destroy(): void;
};

const logger = { debug: () => undefined, warn: () => undefined };

function queue(maxInFlightRequests: number | null = null) {
  return new RequestQueue({
    maxInFlightRequests,
    requestTimeout: 1_000,
    enforceRequestTimeout: false,
    clientId: 'spec',
    broker: 'localhost:9092',
    logger,
  });
}

/** A request as kafkajs' Connection pushes it; `sent` is called when it goes out. */
function request(correlationId: number, sent: () => void) {
  return {
    entry: {
      correlationId,
      apiKey: 3,
      apiName: 'Metadata',
      apiVersion: 6,
      resolve: () => undefined,
      reject: () => undefined,
    },
    expectResponse: true,
    sendRequest: sent,
  };
}

describe("kafkajs' request queue, patched", () => {
  const queues: Array<ReturnType<typeof queue>> = [];
  const make = (max: number | null = null) => {
    const made = queue(max);
    queues.push(made);
    return made;
  };
  afterEach(() => queues.splice(0).forEach((q) => q.destroy()));

  it('schedules no timer once a response leaves it idle (no 1 ms loop, no negative delay)', () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const q = make();
      q.push(request(1, () => undefined));
      q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
      // kafkajs 2.2.4 left a timer here with a delay of -1 - Date.now(), rescheduled forever.
      expect({ timerScheduled: q.throttleCheckTimeoutId !== null }).toEqual({
        timerScheduled: false,
      });
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'TimeoutNegativeWarning')).toEqual([]);
  });

  it('still sends a request held back by a throttle once the throttle ends', async () => {
    const q = make();
    q.maybeThrottle(40);
    let sentAt = 0;
    const queuedAt = Date.now();
    const sent = new Promise<void>((resolve) =>
      q.push(
        request(2, () => {
          sentAt = Date.now();
          resolve();
        }),
      ),
    );
    expect(sentAt).toBe(0);
    expect({ timerScheduled: q.throttleCheckTimeoutId !== null }).toEqual({ timerScheduled: true });
    await sent;
    expect(sentAt - queuedAt).toBeGreaterThanOrEqual(35);
  });

  it('sends a request held back by the in-flight limit when a response frees a slot', () => {
    const q = make(1);
    const sent: number[] = [];
    q.push(request(3, () => sent.push(3)));
    q.push(request(4, () => sent.push(4)));
    expect(sent).toEqual([3]);
    q.fulfillRequest({ correlationId: 3, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([3, 4]);
  });

  it('leaves a queue class alone when it lacks the method it fixes', async () => {
    const { patchRequestQueue } = await import('./request-queue-fix');
    class Other {}
    expect(patchRequestQueue(Other)).toBe(false);
    expect(Object.getOwnPropertyNames(Other.prototype)).toEqual(['constructor']);
  });
});
