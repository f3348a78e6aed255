/**
 * The typed client of auth's gRPC API (`auth.v1.AuthService`): promise-returning methods
 * whose requests and responses are the types generated from proto/auth/v1/auth.proto
 * (`AuthV1` of `@app/contracts`), with the service credential (ADR 0015) and Bearer
 * metadata handled for the caller. Services, tools and tests call auth through it instead
 * of loading the proto and wiring grpc-js by hand.
 */
export * from './auth-client';
