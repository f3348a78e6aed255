import { ConfigValidationError, loadConfig } from '@app/platform';
import { friendsConfigSchema } from './friends.config';

describe('friendsConfigSchema', () => {
  it('has working defaults for every variable', () => {
    const config = loadConfig(friendsConfigSchema, {});
    expect(config).toMatchObject({
      http: { port: 3003, bodyLimit: '16kb' },
      // Internal gRPC: loopback unless a deployment opens it, no credential unless given.
      grpc: { port: 50053, url: '127.0.0.1:50053' },
      internalApiToken: undefined,
      database: { url: 'postgres://postgres@127.0.0.1:5432/friends' },
      kafka: { brokers: ['127.0.0.1:9092'] }, // no group id: KafkaModule then uses the service name
      auth: { issuer: 'messenger-auth', audience: 'messenger' },
    });
  });

  it('opens the gRPC listener and takes the service credential only when told to', () => {
    const token = 'a-service-credential-of-32-chars!';
    const config = loadConfig(friendsConfigSchema, {
      GRPC_HOST: '0.0.0.0',
      INTERNAL_API_TOKEN: token,
    });
    expect(config).toMatchObject({ grpc: { url: '0.0.0.0:50053' }, internalApiToken: token });
    expect(() => loadConfig(friendsConfigSchema, { INTERNAL_API_TOKEN: 'too-short' })).toThrow(
      /INTERNAL_API_TOKEN/,
    );
  });

  it('reports every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig(friendsConfigSchema, {
        HTTP_PORT: 'x',
        GRPC_PORT: '70000',
        HTTP_BODY_LIMIT: 'lots',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).problems).toHaveLength(3);
  });
});
