import { commonConfig, commonEnvSchema, DEFAULT_CORS_ORIGINS } from './env';
import { ConfigValidationError, loadConfig } from './load-config';

const load = (env: NodeJS.ProcessEnv) => commonConfig(loadConfig(commonEnvSchema, env));

describe('commonEnvSchema', () => {
  it('defaults to the local origins and a shutdown that waits, never to * or 0', () => {
    const config = load({});
    expect(config.cors.origins).toEqual(DEFAULT_CORS_ORIGINS);
    expect(config.cors.origins).toEqual([
      'http://127.0.0.1:8080',
      'http://localhost:8080',
      'http://localhost:5173',
      'http://127.0.0.1:5173',
    ]);
    expect(config.shutdownGraceMs).toBe(3_000);
    expect(config.shutdownDrainTimeoutMs).toBe(10_000);
  });

  it('reads CORS_ORIGINS as a comma-separated list of exact origins', () => {
    const config = load({ CORS_ORIGINS: ' https://app.example.com , http://localhost:3000' });
    expect(config.cors.origins).toEqual(['https://app.example.com', 'http://localhost:3000']);
  });

  it.each([
    ['*', 'a wildcard'],
    ['https://app.example.com/', 'a path'],
    ['https://app.example.com/login', 'a path'],
    ['app.example.com', 'no scheme'],
    ['ftp://app.example.com', 'another scheme'],
    ['https://*.example.com', 'a pattern'],
    [',', 'nothing'],
  ])('refuses %s (%s)', (value) => {
    expect(() => load({ CORS_ORIGINS: value })).toThrow(ConfigValidationError);
  });

  it('refuses * in every environment', () => {
    for (const NODE_ENV of ['development', 'test', 'production']) {
      expect(() => load({ NODE_ENV, CORS_ORIGINS: 'http://localhost:5173,*' })).toThrow(
        /CORS_ORIGINS/,
      );
    }
  });

  it('lets the grace and the drain timeout be configured', () => {
    const config = load({ SHUTDOWN_GRACE_MS: '5000', SHUTDOWN_DRAIN_TIMEOUT_MS: '20000' });
    expect(config.shutdownGraceMs).toBe(5_000);
    expect(config.shutdownDrainTimeoutMs).toBe(20_000);
  });

  it('prunes the event tables by default: outbox 7 days, processed ids 30 days (ADR 0025)', () => {
    expect(load({}).kafka.retention).toEqual({
      outboxRetentionMs: 7 * 86_400_000,
      processedRetentionMs: 30 * 86_400_000,
      intervalMs: 60_000,
      batchSize: 1_000,
    });
    const config = load({
      OUTBOX_RETENTION_SECONDS: '86400',
      PROCESSED_EVENTS_RETENTION_SECONDS: '1209600',
      EVENT_PRUNE_INTERVAL_MS: '5000',
      EVENT_PRUNE_BATCH_SIZE: '200',
    });
    expect(config.kafka.retention).toEqual({
      outboxRetentionMs: 86_400_000,
      processedRetentionMs: 1_209_600_000,
      intervalMs: 5_000,
      batchSize: 200,
    });
  });

  it.each([
    ['PROCESSED_EVENTS_RETENTION_SECONDS', '60'],
    ['OUTBOX_RETENTION_SECONDS', '0'],
    ['EVENT_PRUNE_INTERVAL_MS', '10'],
    ['EVENT_PRUNE_BATCH_SIZE', '0'],
    ['EVENT_PRUNE_BATCH_SIZE', '100000'],
    ['EVENT_PRUNE_BATCH_SIZE', 'lots'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => load({ [name]: value })).toThrow(new RegExp(name));
  });
});
