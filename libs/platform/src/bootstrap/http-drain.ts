import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Lets an HTTP server answer what it has started before the process exits, without the
 * resets a bare `server.close()` leaves: Node keeps serving later requests on open
 * keep-alive connections (so a busy client keeps the server from ever closing), and a
 * connection still open at exit is cut under whatever it carries.
 *
 * Once draining, every answer says `Connection: close`, so each keep-alive client opens
 * a new connection for its next request — through its load balancer, to an instance that
 * is still ready. Built on Node's own primitives (`closeIdleConnections`,
 * `closeAllConnections`) rather than a package: the ones that wrap them (http-terminator,
 * stoppable) are unmaintained and track sockets instead of requests.
 *
 * Only plain HTTP requests are waited for: socket.io's transport and GraphQL subscriptions
 * (WebSocket upgrades, engine.io polling) are closed by their owners when the app closes.
 */
export class HttpDrain {
  private readonly inFlight = new Set<ServerResponse>();
  private draining = false;
  private onSettled?: () => void;

  /**
   * Call before socket.io attaches to the server: it hides its own requests from the
   * listeners that were there before it.
   */
  constructor(private readonly server: Server) {
    // Before Express, which may answer synchronously (a CORS preflight).
    server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) =>
      this.track(response),
    );
  }

  /** Requests being answered now. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** From now on every answer closes its connection. Idempotent. */
  startDraining(): void {
    if (this.draining) return;
    this.draining = true;
    for (const response of this.inFlight) closeAfter(response);
  }

  /**
   * Closes the listener — new connections are refused from now on — and waits until every
   * request in flight is answered, at most `timeoutMs`. Connections still busy then are
   * closed. Resolves with the number of requests that were cut off (0 when all finished).
   */
  async close(timeoutMs: number): Promise<number> {
    this.startDraining();
    // Node (≥ 19) also closes the idle keep-alive connections here; busy ones close after
    // their answer, which now says `Connection: close`.
    this.server.close();
    if (this.inFlight.size > 0) await this.settled(timeoutMs);
    const cutOff = this.inFlight.size;
    if (cutOff > 0) this.server.closeAllConnections();
    // A connection whose answer had started before draining stays open for keep-alive.
    this.server.closeIdleConnections();
    return cutOff;
  }

  private track(response: ServerResponse): void {
    if (this.draining) closeAfter(response);
    this.inFlight.add(response);
    response.once('close', () => {
      this.inFlight.delete(response);
      if (this.inFlight.size === 0) this.onSettled?.();
    });
  }

  private settled(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.onSettled = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** Headers not sent yet: Node closes the connection after this answer. */
function closeAfter(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('Connection', 'close');
}
