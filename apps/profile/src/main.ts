// @app/platform first: it starts tracing before instrumented libraries load.
import { bootstrapService, loadConfig, runMain } from '@app/platform';
import { GrpcPackages } from '@app/contracts';
import { kafkaTransport } from '@app/kafka';
import { Logger } from '@nestjs/common';
import { profileConfigSchema } from './config/profile.config';
import { graphqlIde, operationPolicy } from './graphql/graphql.options';
import { GRAPHQL_IDE_CONTENT_SECURITY_POLICY } from './graphql/graphql-ide.csp';
import { serveGraphqlIdeAssets } from './graphql/graphql-ide';
import { ProfileModule } from './profile.module';

runMain(async () => {
  const config = loadConfig(profileConfigSchema);
  // GraphiQL at GET /graphql: outside production, when this build bundled it.
  const ide = graphqlIde(config);
  await bootstrapService(ProfileModule.register(config), {
    httpPort: config.http.port,
    corsOrigins: config.cors.origins,
    shutdownDrainTimeoutMs: config.shutdownDrainTimeoutMs,
    // Without the IDE, GET /graphql is API like the rest: the strict JSON policy.
    htmlPages: ide
      ? [{ path: '/graphql', contentSecurityPolicy: GRAPHQL_IDE_CONTENT_SECURITY_POLICY }]
      : [],
    configure: (app) => {
      if (ide) serveGraphqlIdeAssets(app, ide);
    },
    // The whole gRPC API is internal: no public methods (ADR 0015).
    grpc: {
      ...GrpcPackages.profile,
      url: config.grpc.url,
      internalApiToken: config.internalApiToken,
    },
    transports: [kafkaTransport],
  });
  if (!ide && operationPolicy(config).introspection) {
    new Logger('GraphqlIde').warn(
      'this build has no GraphQL IDE (scripts/build-graphiql.ts): GET /graphql serves none',
    );
  }
});
