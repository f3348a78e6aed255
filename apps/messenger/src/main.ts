// @app/platform first: it starts tracing before instrumented libraries load.
import { bootstrapService, loadConfig, RedisConnections, runMain } from '@app/platform';
import { kafkaTransport } from '@app/kafka';
import { messengerConfigSchema } from './config/messenger.config';
import { MessengerModule } from './messenger.module';
import { LeanEvents } from './realtime/lean-events';
import { MessengerIoAdapter } from './realtime/messenger-io.adapter';

runMain(async () => {
  const config = loadConfig(messengerConfigSchema);
  await bootstrapService(MessengerModule.register(config), {
    httpPort: config.http.port,
    corsOrigins: config.cors.origins,
    shutdownDrainTimeoutMs: config.shutdownDrainTimeoutMs,
    // No gRPC server: messenger's API is socket.io on the HTTP server.
    transports: [kafkaTransport],
    configure: (app) => {
      app.useWebSocketAdapter(
        new MessengerIoAdapter(app, {
          corsOrigins: config.cors.origins,
          redis: app.get(RedisConnections),
          keyPrefix: config.redis.keyPrefix,
          maxPayloadBytes: config.limits.maxPayloadBytes,
          leanEvents: app.get(LeanEvents),
        }),
      );
    },
  });
});
