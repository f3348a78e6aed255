/**
 * Small platform pieces every service shares: typed config, logging, health, metrics,
 * tracing, request validation, domain errors and their transport mappings, database
 * transactions, token verification, keyset cursors, per-user request rate limits and the
 * bootstrap of a hybrid Nest app.
 */
// First, before anything that loads an instrumented library: see tracing/register.ts.
import './tracing/register';
export * from './config';
export * from './logging';
export * from './errors';
export * from './validation';
export * from './database';
export * from './health';
export * from './metrics';
export * from './auth';
export * from './bootstrap';
export * from './grpc';
export * from './tracing';
export * from './pagination';
export * from './redis';
export * from './rate-limit';
