/**
 * Imported first by `@app/platform`'s index, so tracing starts before the libraries it
 * instruments (grpc-js, pg, kafkajs, express …) are loaded — patching a module only works
 * for code that loads it afterwards. Each app's `main.ts` therefore imports
 * `@app/platform` before anything else. Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set, and
 * then the SDK is not even loaded (unit tests import `@app/platform` by the hundred).
 */
import type { NodeSDK } from '@opentelemetry/sdk-node';

const enabled =
  Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT) && process.env.OTEL_SDK_DISABLED !== 'true';

const sdk: NodeSDK | undefined = enabled
  ? // A synchronous, conditional load: the SDK must be running before the next import.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('./sdk') as typeof import('./sdk')).startTracingFromEnv()
  : undefined;

/** Flushes the spans still buffered and stops tracing; a no-op when tracing is off. */
export async function shutdownTracing(): Promise<void> {
  await sdk?.shutdown();
}
