export * from './domain-error';
export * from './transport-status';
export * from './http-error';
export * from './grpc-error';
export * from './transport-exception.filter';
export * from './dependency-outage';
export * from './error-body.dto';
export * from './socket-ack-error';
