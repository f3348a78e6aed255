export * from './redis-connections';
export * from './redis-health.indicator';
export * from './redis.module';
