// @app/platform first: it starts tracing before instrumented libraries load.
import { bootstrapService, ContentSecurityPolicies, loadConfig, runMain } from '@app/platform';
import { AuthV1, GrpcPackages } from '@app/contracts';
import { kafkaTransport } from '@app/kafka';
import { AuthModule } from './auth.module';
import { authConfigSchema } from './config/auth.config';
import { configureHttp } from './http/http-setup';

runMain(async () => {
  const config = loadConfig(authConfigSchema);
  await bootstrapService(AuthModule.register(config), {
    httpPort: config.http.port,
    corsOrigins: config.cors.origins,
    shutdownDrainTimeoutMs: config.shutdownDrainTimeoutMs,
    htmlPages: [{ path: '/docs', contentSecurityPolicy: ContentSecurityPolicies.swaggerUi }],
    configure: (app) => configureHttp(app),
    grpc: {
      package: GrpcPackages.auth.package,
      protoPath: GrpcPackages.auth.protoPath,
      url: config.grpc.url,
      internalApiToken: config.internalApiToken,
      // End users call these with what they hold (a password, a refresh token, an access
      // token as `authorization` metadata). Everything else — ValidateToken, and any method
      // added later — is for services (ADR 0015).
      publicMethods: [
        'Register',
        'Login',
        'Refresh',
        'Logout',
        'ListSessions',
        'RevokeSession',
        'RevokeAllSessions',
        'DeleteAccount',
        'SuspendAccount',
        'ReinstateAccount',
      ].map((method) => `/${GrpcPackages.auth.package}.${AuthV1.AUTH_SERVICE_NAME}/${method}`),
    },
    transports: [kafkaTransport],
  });
});
