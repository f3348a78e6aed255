export * from './rate-limit.module';
export * from './rate-limit.options';
export * from './rate-limited.error';
export * from './request-rate-limiter';
export * from './client-address';
