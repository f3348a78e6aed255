import { z } from 'zod';
import { commonEnvSchema, env } from './env';
import { ConfigValidationError, loadConfig } from './load-config';

const schema = commonEnvSchema.extend({
  HTTP_PORT: env.port(3001),
  DATABASE_URL: z.url(),
});

describe('loadConfig', () => {
  it('applies defaults and coerces types', () => {
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://db/auth' });
    expect(config.HTTP_PORT).toBe(3001);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.NODE_ENV).toBe('development');
  });

  it('splits a broker list', () => {
    const config = loadConfig(schema, {
      DATABASE_URL: 'postgres://db/auth',
      KAFKA_BROKERS: 'k1:9092, k2:9092',
    });
    expect(config.KAFKA_BROKERS).toEqual(['k1:9092', 'k2:9092']);
  });

  it('takes an optional Kafka topic prefix, empty by default', () => {
    const base = { DATABASE_URL: 'postgres://db/auth' };
    expect(loadConfig(schema, base).KAFKA_TOPIC_PREFIX).toBe('');
    expect(loadConfig(schema, { ...base, KAFKA_TOPIC_PREFIX: 'e2e1.' }).KAFKA_TOPIC_PREFIX).toBe(
      'e2e1.',
    );
    expect(() => loadConfig(schema, { ...base, KAFKA_TOPIC_PREFIX: 'no spaces' })).toThrow(
      /KAFKA_TOPIC_PREFIX/,
    );
  });

  it('names every missing or invalid variable at once', () => {
    let error: unknown;
    try {
      loadConfig(schema, { HTTP_PORT: '99999', KAFKA_BROKERS: 'no-port' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const message = (error as Error).message;
    expect(message).toContain('HTTP_PORT');
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('(not set)');
    expect(message).toContain('KAFKA_BROKERS');
  });
});
