// @app/platform first: it starts tracing before instrumented libraries load.
import { bootstrapService, loadConfig, runMain } from '@app/platform';
import { GrpcPackages } from '@app/contracts';
import { kafkaTransport } from '@app/kafka';
import { profileConfigSchema } from './config/profile.config';
import { ProfileModule } from './profile.module';

runMain(async () => {
  const config = loadConfig(profileConfigSchema);
  await bootstrapService(ProfileModule.register(config), {
    httpPort: config.http.port,
    grpc: { ...GrpcPackages.profile, url: config.grpc.url },
    transports: [kafkaTransport],
  });
});
