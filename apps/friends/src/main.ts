// @app/platform first: it starts tracing before instrumented libraries load.
import { bootstrapService, loadConfig, runMain } from '@app/platform';
import { GrpcPackages } from '@app/contracts';
import { kafkaTransport } from '@app/kafka';
import { friendsConfigSchema } from './config/friends.config';
import { FriendsModule } from './friends.module';
import { configureHttp } from './http-setup';

runMain(async () => {
  const config = loadConfig(friendsConfigSchema);
  await bootstrapService(FriendsModule.register(config), {
    httpPort: config.http.port,
    grpc: { ...GrpcPackages.friends, url: config.grpc.url },
    transports: [kafkaTransport],
    configure: (app) => configureHttp(app, { bodyLimit: config.http.bodyLimit }),
  });
});
