// @app/platform first: it starts tracing before instrumented libraries load.
import { bootstrapService, ContentSecurityPolicies, loadConfig, runMain } from '@app/platform';
import { GrpcPackages } from '@app/contracts';
import { kafkaTransport } from '@app/kafka';
import { friendsConfigSchema } from './config/friends.config';
import { FriendsModule } from './friends.module';
import { configureHttp } from './http-setup';

runMain(async () => {
  const config = loadConfig(friendsConfigSchema);
  await bootstrapService(FriendsModule.register(config), {
    httpPort: config.http.port,
    corsOrigins: config.cors.origins,
    shutdownDrainTimeoutMs: config.shutdownDrainTimeoutMs,
    htmlPages: [{ path: '/docs', contentSecurityPolicy: ContentSecurityPolicies.swaggerUi }],
    // The whole gRPC API is internal: no public methods (ADR 0015).
    grpc: {
      ...GrpcPackages.friends,
      url: config.grpc.url,
      internalApiToken: config.internalApiToken,
    },
    transports: [kafkaTransport],
    configure: (app) => configureHttp(app, { bodyLimit: config.http.bodyLimit }),
  });
});
