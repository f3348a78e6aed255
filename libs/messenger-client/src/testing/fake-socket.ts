/**
 * socket.io's client socket as {@link MessengerClient} uses it (`on`, `connect`,
 * `disconnect`, `timeout().emitWithAck`, `connected`, `active`), for unit specs. Each
 * client event is answered by the spec's `answers`; `hang` answers nothing until the
 * connection drops, as socket.io rejects a waiting ack on disconnect.
 */
export type Answer = (payload: never) => Promise<unknown>;

export class FakeSocket {
  connected = false;
  active = false;
  readonly emitted: { event: string; payload: Record<string, unknown> }[] = [];
  readonly answers = new Map<string, Answer>();
  /** The tokens presented at each connect, as the server would see them. */
  readonly handshakes: Record<string, unknown>[] = [];
  /** When set, the next connect is refused with this `connect_error`. */
  refuseWith: (Error & { data?: { code?: string } }) | undefined;
  private readonly handlers = new Map<string, ((...args: unknown[]) => void)[]>();
  private readonly waiting = new Set<(error: Error) => void>();

  constructor(readonly options: { auth?: unknown } = {}) {}

  on(event: string, handler: (...args: unknown[]) => void): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }

  connect(): this {
    this.active = true;
    const auth = this.options.auth as
      ((cb: (data: Record<string, unknown>) => void) => void) | undefined;
    const open = (data: Record<string, unknown>) => {
      this.handshakes.push(data);
      const refusal = this.refuseWith;
      if (refusal) {
        this.refuseWith = undefined;
        this.active = false;
        this.fire('connect_error', refusal);
        return;
      }
      this.connected = true;
      this.fire('connect');
    };
    if (auth) auth(open);
    else open({});
    return this;
  }

  disconnect(): this {
    this.active = false;
    this.drop('io client disconnect');
    return this;
  }

  /** The connection goes away; `active` says whether socket.io would reconnect by itself. */
  drop(reason = 'transport close'): void {
    if (!this.connected) return;
    this.connected = false;
    this.fire('disconnect', reason);
    for (const reject of this.waiting) reject(new Error('socket has been disconnected'));
    this.waiting.clear();
  }

  /** An answer that never comes while connected (a lost ack). */
  hang = (): Promise<unknown> =>
    new Promise((_, reject) => {
      this.waiting.add(reject);
    });

  timeout(): {
    emitWithAck: (event: string, payload: Record<string, unknown>) => Promise<unknown>;
  } {
    return {
      emitWithAck: (event, payload) => {
        this.emitted.push({ event, payload });
        const answer = this.answers.get(event);
        return answer ? answer(payload as never) : Promise.resolve({ ok: true });
      },
    };
  }

  fire(event: string, ...args: unknown[]): void {
    for (const handler of this.handlers.get(event) ?? []) handler(...args);
  }

  events(): string[] {
    return this.emitted.map((e) => e.event);
  }
}

/** A successful acknowledgement. */
export const ok = <T extends object>(body: T) => Promise.resolve({ ok: true, ...body });

/** An error acknowledgement. */
export const refused = (code: string, message = code) =>
  Promise.resolve({ ok: false, error: { code, message } });

/** What socket.io rejects a waiting ack with once its timeout passes. */
export const timedOut = () => Promise.reject(new Error('operation has timed out'));
