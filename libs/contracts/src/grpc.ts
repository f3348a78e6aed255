import { join } from 'node:path';

/**
 * Where the .proto files are at run time: three levels above this file is the repo root
 * when running from source, and `dist/` (which the build gives a copy of `proto/`) when
 * running built code. PROTO_DIR overrides both.
 */
export const PROTO_ROOT = process.env.PROTO_DIR ?? join(__dirname, '..', '..', '..', 'proto');

/** gRPC packages and the proto file of each, relative to {@link PROTO_ROOT}. */
export const GrpcPackages = {
  auth: { package: 'auth.v1', protoPath: 'auth/v1/auth.proto' },
  profile: { package: 'profile.v1', protoPath: 'profile/v1/profile.proto' },
  friends: { package: 'friends.v1', protoPath: 'friends/v1/friends.proto' },
} as const;

/** proto-loader options matching what ts-proto generated (camelCase fields, numbers for int64). */
export const PROTO_LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;
