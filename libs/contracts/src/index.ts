/**
 * The shared contract between services: gRPC types generated from `proto/`, Kafka topic
 * names and event payload schemas, stable error codes, and messenger's socket.io API
 * (`SocketApi`).
 */
export * as AuthV1 from './generated/auth/v1/auth';
export * as ProfileV1 from './generated/profile/v1/profile';
export * as FriendsV1 from './generated/friends/v1/friends';
export * from './events';
export * from './errors';
export * from './grpc';
export * as SocketApi from './socket';
