export * from './grpc-client';
export * from './internal-credential';
export * from './internal-calls.interceptor';
export * from './internal-caller.guard';
