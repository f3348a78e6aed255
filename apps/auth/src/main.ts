import { GrpcPackages } from '@app/contracts';
import { kafkaTransport } from '@app/kafka';
import { bootstrapService, loadConfig, runMain } from '@app/platform';
import { AuthModule } from './auth.module';
import { authConfigSchema } from './config/auth.config';

runMain(async () => {
  const config = loadConfig(authConfigSchema);
  await bootstrapService(AuthModule.register(config), {
    httpPort: config.http.port,
    grpc: {
      package: GrpcPackages.auth.package,
      protoPath: GrpcPackages.auth.protoPath,
      url: config.grpc.url,
    },
    transports: [kafkaTransport],
  });
});
