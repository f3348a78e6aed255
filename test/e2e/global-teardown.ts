import { stopE2eGateway } from './support/gateway';

/**
 * Stops the gateway and the service processes the global setup started (SIGTERM:
 * graceful shutdown).
 */
export default async function globalTeardown(): Promise<void> {
  await stopE2eGateway();
  const services = globalThis.__E2E_SERVICES__ ?? [];
  await Promise.all(services.map((running) => running.stop('SIGTERM', 10_000)));
}
