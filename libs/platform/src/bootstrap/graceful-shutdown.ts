import type { Server as GrpcServer } from '@grpc/grpc-js';
import type { INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import type { Server } from 'node:http';
import { ShutdownGrace } from '../health/shutdown-grace';
import { drainGrpcServer } from './grpc-drain';
import { HttpDrain } from './http-drain';

const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Replaces Nest's shutdown hooks (`enableShutdownHooks`) by a shutdown that drops no
 * request. On SIGTERM or SIGINT:
 * 1. readiness reports down and the server keeps serving for `SHUTDOWN_GRACE_MS`, every
 *    answer closing its connection, so clients and load balancers move elsewhere;
 * 2. the HTTP listener closes (new connections are refused) and the gRPC server accepts no
 *    new call; the requests and calls in flight on both are answered, for up to
 *    `drainTimeoutMs`;
 * 3. Nest closes the app: module hooks, socket.io (its sockets get a clean close, and
 *    clients reconnect to another instance), the gRPC and Kafka transports, the database.
 * Nest's own order would run the modules' destroy hooks first (GraphQL stops its server
 * there, breakers shut) and close socket.io before the HTTP server has drained.
 *
 * Must be called before the app initialises (see {@link HttpDrain}).
 */
export function shutdownGracefully(
  app: INestApplication,
  drainTimeoutMs: number,
): { drainGrpc(server: GrpcServer): void } {
  const drain = new HttpDrain(app.getHttpServer() as Server);
  let grpcServer: GrpcServer | undefined;
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal changes nothing: the drain is bounded by its own timeout.
    if (shuttingDown) return;
    shuttingDown = true;
    void shutdown(app, { drain, grpcServer, drainTimeoutMs }, signal).then(
      () => {
        for (const s of SIGNALS) process.removeListener(s, onSignal);
        // As Nest does: end by the signal itself, so the supervisor sees why it stopped.
        process.kill(process.pid, signal);
      },
      (error: unknown) => {
        process.stderr.write(`Shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return {
    /** The gRPC server (known once Nest's transport has made it) drains with HTTP. */
    drainGrpc: (server) => {
      grpcServer = server;
    },
  };
}

interface Drains {
  drain: HttpDrain;
  grpcServer: GrpcServer | undefined;
  drainTimeoutMs: number;
}

async function shutdown(
  app: INestApplication,
  { drain, grpcServer, drainTimeoutMs }: Drains,
  signal: NodeJS.Signals,
): Promise<void> {
  const logger = app.get(Logger);
  logger.log(`${signal}: readiness down, serving on for the grace period`);
  drain.startDraining();
  await app.get(ShutdownGrace).begin();
  const [cutOff, grpcCutOff] = await Promise.all([
    drain.close(drainTimeoutMs),
    grpcServer ? drainGrpcServer(grpcServer, drainTimeoutMs) : false,
  ]);
  if (cutOff > 0) {
    logger.warn(`${cutOff} request(s) still in flight after ${drainTimeoutMs} ms were cut off`);
  }
  if (grpcCutOff)
    logger.warn(`gRPC calls still in flight after ${drainTimeoutMs} ms were cancelled`);
  logger.log('Listeners closed, requests answered: closing the app');
  await app.close();
}
