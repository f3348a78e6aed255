import type { Server } from '@grpc/grpc-js';

/**
 * Stops a gRPC server the way {@link HttpDrain} stops the HTTP one: no new calls are
 * accepted (grpc-js sends GOAWAY on every connection) and the calls in flight are answered,
 * for up to `timeoutMs`; then whatever is still running is cancelled. Resolves `true` when
 * calls had to be cancelled.
 *
 * Nest's own close of the gRPC transport is a `forceShutdown` (or, with its
 * `gracefulShutdown` option, a wait with no bound), which cancels the calls a client sent
 * just before the listener closed.
 */
export function drainGrpcServer(server: Server, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => {
      server.forceShutdown();
      resolve(true);
    }, timeoutMs);
    server.tryShutdown(() => {
      clearTimeout(deadline);
      resolve(false);
    });
  });
}
