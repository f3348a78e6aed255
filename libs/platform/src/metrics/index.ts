export * from './grpc-metrics.interceptor';
export * from './metrics';
export * from './metrics.module';
export * from './outcome';
export * from './request-metrics.interceptor';
export * from './socket-metrics.gateway';
