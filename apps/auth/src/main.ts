// @app/platform first: it starts tracing before instrumented libraries load.
import { bootstrapService, loadConfig, runMain } from '@app/platform';
import { GrpcPackages } from '@app/contracts';
import { kafkaTransport } from '@app/kafka';
import { AuthModule } from './auth.module';
import { authConfigSchema } from './config/auth.config';
import { configureHttp } from './http/http-setup';

runMain(async () => {
  const config = loadConfig(authConfigSchema);
  await bootstrapService(AuthModule.register(config), {
    httpPort: config.http.port,
    configure: (app) => configureHttp(app),
    grpc: {
      package: GrpcPackages.auth.package,
      protoPath: GrpcPackages.auth.protoPath,
      url: config.grpc.url,
    },
    transports: [kafkaTransport],
  });
});
