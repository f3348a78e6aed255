/**
 * Small platform pieces every service shares: typed config, logging, health, metrics,
 * domain errors and their transport mappings, database transactions, token verification
 * and the bootstrap of a hybrid Nest app.
 */
export * from './config';
export * from './logging';
export * from './errors';
export * from './database';
export * from './health';
export * from './metrics';
export * from './auth';
export * from './bootstrap';
export * from './grpc';
