export * from './readiness-checks';
export * from './health.module';
export * from './grpc-health.service';
export { ShutdownGrace } from './shutdown-grace';
