/**
 * A TCP proxy between service processes and the suite's broker that can lose chosen
 * Kafka requests on the way — a network fault aimed at one step, so the services under
 * test run unmodified.
 *
 * The broker's PROXIED listener advertises the proxy's address, so a client that
 * bootstraps through the proxy makes every later connection through it too. Client →
 * broker bytes are split into Kafka request frames (a 4-byte big-endian size, then the
 * request header: int16 api key, int16 api version, int32 correlation id, …); a frame
 * whose api key is being swallowed is counted and dropped, so the broker never sees it
 * and the client waits for an answer that never comes. Broker → client bytes pass as is.
 */
import { createServer, type Server, type Socket, connect } from 'node:net';
import { ports } from './layout';

/** Kafka protocol api keys the suite drops. */
export const ApiKey = { Produce: 0, OffsetCommit: 8 } as const;
export type ApiKey = (typeof ApiKey)[keyof typeof ApiKey];

export class FaultProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly dropping = new Set<number>();
  private readonly dropped = new Map<number, number>();

  constructor(
    private readonly listenPort: number = ports.proxy,
    private readonly upstreamPort: number = ports.brokerBehindProxy,
  ) {
    this.server = createServer((client) => this.relay(client));
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
  }

  /** Requests of `apiKey` are dropped from now on. */
  drop(apiKey: ApiKey): void {
    this.dropping.add(apiKey);
  }

  /** Everything passes again. */
  passAll(): void {
    this.dropping.clear();
  }

  /** How many requests of `apiKey` were dropped so far. */
  droppedCount(apiKey: ApiKey): number {
    return this.dropped.get(apiKey) ?? 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const upstream = connect(this.upstreamPort, '127.0.0.1');
    this.sockets.add(client);
    this.sockets.add(upstream);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
    upstream.pipe(client);

    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        const frame = pending.subarray(0, 4 + size);
        pending = pending.subarray(4 + size);
        const apiKey = frame.readInt16BE(4);
        if (this.dropping.has(apiKey)) {
          this.dropped.set(apiKey, this.droppedCount(apiKey as ApiKey) + 1);
        } else {
          upstream.write(frame);
        }
      }
    });
  }
}
