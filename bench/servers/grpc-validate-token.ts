// Baseline of case B: a bare @grpc/grpc-js server answering auth.v1.AuthService/ValidateToken
// with the same proto, proto-loader options and verification as auth — internal caller
// secret compared by digest, JOSE header policy, ES256 JWT verified by jose against the
// public keys from auth's JWKS — and nothing else (no Nest, guards, pipes or filters).
// Env: PORT, PROTO_ROOT, JWKS_URL, JWT_ISSUER, JWT_AUDIENCE, INTERNAL_API_TOKEN.

import { createHash, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify, type JWTVerifyGetKey } from 'jose';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const PORT = env('PORT');
const PROTO_ROOT = env('PROTO_ROOT');
const JWKS_URL = env('JWKS_URL');
const JWT_ISSUER = env('JWT_ISSUER');
const JWT_AUDIENCE = env('JWT_AUDIENCE');
const INTERNAL_API_TOKEN = env('INTERNAL_API_TOKEN');

interface ValidateTokenRequest {
  accessToken: string;
}
interface ValidateTokenReply {
  userId: unknown;
  email: unknown;
  expiresAt: unknown;
}
type AuthServiceClass = grpc.ServiceClientConstructor;

const definition = protoLoader.loadSync(path.join(PROTO_ROOT, 'auth/v1/auth.proto'), {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
});
const { AuthService } = (
  grpc.loadPackageDefinition(definition) as { auth: { v1: { AuthService: AuthServiceClass } } }
).auth.v1;

const expected = createHash('sha256').update(INTERNAL_API_TOKEN).digest();
const KID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Key by kid, after the same header policy as auth (no key-bearing members, a plain kid);
 * set by `main` once auth's JWKS is loaded.
 */
let key: JWTVerifyGetKey = () => Promise.reject(new Error('JWKS not loaded'));

function keyOf(jwks: ReturnType<typeof createLocalJWKSet>): JWTVerifyGetKey {
  return (header, token) => {
    if (['jku', 'jwk', 'x5u', 'x5c'].some((m) => m in header) || !KID.test(header.kid ?? '')) {
      throw new Error('bad header');
    }
    return jwks(header, token);
  };
}

const unauthenticated = (details: string): Partial<grpc.StatusObject> => ({
  code: grpc.status.UNAUTHENTICATED,
  details,
});

async function validateToken(
  call: grpc.ServerUnaryCall<ValidateTokenRequest, ValidateTokenReply>,
  callback: grpc.sendUnaryData<ValidateTokenReply>,
): Promise<void> {
  const presented = call.metadata.get('x-internal-token')[0];
  if (
    typeof presented !== 'string' ||
    !timingSafeEqual(createHash('sha256').update(presented).digest(), expected)
  ) {
    return callback(unauthenticated('internal callers only'));
  }
  const token = call.request.accessToken;
  if (!token || token.length > 4096) return callback(unauthenticated('invalid token'));
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      algorithms: ['ES256'],
      typ: 'at+jwt',
      requiredClaims: ['sub', 'exp', 'iat', 'jti'],
    });
    callback(null, { userId: payload.sub, email: payload.email, expiresAt: payload.exp });
  } catch {
    callback(unauthenticated('invalid token'));
  }
}

const server = new grpc.Server();
// grpc-js ignores what a handler returns: validateToken answers through its callback.
// eslint-disable-next-line @typescript-eslint/no-misused-promises
server.addService(AuthService.service, { validateToken });
process.on('SIGTERM', () => server.forceShutdown());

async function main() {
  key = keyOf(createLocalJWKSet((await (await fetch(JWKS_URL)).json()) as JSONWebKeySet));
  server.bindAsync(`127.0.0.1:${PORT}`, grpc.ServerCredentials.createInsecure(), (error) => {
    if (error) throw error;
    process.stdout.write('BENCH_SERVER_READY\n');
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
