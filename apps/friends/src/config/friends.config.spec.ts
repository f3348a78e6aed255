import { ConfigValidationError, loadConfig } from '@app/platform';
import { friendsConfigSchema } from './friends.config';

describe('friendsConfigSchema', () => {
  it('has working defaults for every variable', () => {
    const config = loadConfig(friendsConfigSchema, {});
    expect(config).toMatchObject({
      http: { port: 3003, bodyLimit: '16kb' },
      grpc: { port: 50053, url: '0.0.0.0:50053' },
      database: { url: 'postgres://postgres@127.0.0.1:5432/friends' },
      kafka: { brokers: ['127.0.0.1:9092'] }, // no group id: KafkaModule then uses the service name
      auth: { issuer: 'messenger-auth', audience: 'messenger' },
    });
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
