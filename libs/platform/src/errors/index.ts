export * from './domain-error';
export * from './http-status';
export * from './http-exception.filter';
export * from './grpc-exception.filter';
export * from './transport-exception.filter';
export * from './dependency-outage';
