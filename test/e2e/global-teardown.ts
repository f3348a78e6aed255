import { stopE2eGateway } from './support/gateway';

/**
 * Stops the gateway and the service processes the global setup started (SIGTERM:
 * graceful shutdown).
 */
export default async function globalTeardown(): Promise<void> {
  stopE2eGateway();
  const children = globalThis.__E2E_SERVICES__ ?? [];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(killer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}
