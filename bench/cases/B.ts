// B — ValidateToken over the Nest gRPC transport (auth) against a bare grpc-js server doing
// the same verification (bench/servers/grpc-validate-token.ts). Same client code, same
// channel settings, same tokens, same concurrency: only the server differs. Setup also
// measures what the session-revocation check (issue #16) adds to a verification without
// the verified-token cache (ValidateToken checks every signature), as a share of auth's
// CPU per call.

import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { startChildServer } from '../lib/child';
import { defineCase } from '../lib/harness';
import { closedLoop } from '../lib/load';
import { revocationCost } from '../lib/revocation-cost';
import { benchPort, INTERNAL_API_TOKEN } from '../lib/stack';

const BASELINE_PORT = benchPort(26151);
/** Calls in flight at once: enough to keep a server busy on two cores, not to queue for ever. */
const CONCURRENCY = 64;
const ROUND_MS = 3000;
/** Distinct users' tokens the load cycles through (no verifier cache can help either side). */
const USERS = 20;

/** ValidateToken's answer, as the proto-loader options above shape it. */
interface ValidateTokenReply {
  userId: string;
  email: string;
  expiresAt: number;
}

/** The generated client's one method this case calls. */
interface AuthServiceClient extends grpc.Client {
  validateToken(
    request: { accessToken: string },
    metadata: grpc.Metadata,
    callback: (error: grpc.ServiceError | null, reply: ValidateTokenReply) => void,
  ): grpc.ClientUnaryCall;
}

interface ValidateClient {
  call: (accessToken: string) => Promise<ValidateTokenReply>;
  close: () => void;
}

/** A ValidateToken client of one address (one channel, as a service's client has). */
function validateClient(protoRoot: string, address: string): ValidateClient {
  const definition = protoLoader.loadSync(path.join(protoRoot, 'auth/v1/auth.proto'), {
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [protoRoot],
  });
  const { AuthService } = (
    grpc.loadPackageDefinition(definition) as {
      auth: { v1: { AuthService: grpc.ServiceClientConstructor } };
    }
  ).auth.v1;
  const client = new AuthService(
    address,
    grpc.credentials.createInsecure(),
  ) as unknown as AuthServiceClient;
  const metadata = new grpc.Metadata();
  metadata.set('x-internal-token', INTERNAL_API_TOKEN);
  const call = (accessToken: string) =>
    new Promise<ValidateTokenReply>((resolve, reject) =>
      client.validateToken({ accessToken }, metadata, (error, reply) =>
        error ? reject(error) : resolve(reply),
      ),
    );
  return { call, close: () => client.close() };
}

export default defineCase({
  id: 'B',
  title: 'ValidateToken over the Nest gRPC transport',
  budgetMs: 120_000,
  rounds: 5,
  metrics: {
    callsPerSec: { unit: 'calls/s', better: 'higher' },
    p99Ms: { unit: 'ms', better: 'lower' },
    cpuMsPerCall: { unit: 'CPU ms/call', better: 'lower' },
    revocationCostPct: { unit: '% of CPU/call', better: 'lower' },
  },
  targets: [
    { metric: 'callsPerSec', ratio: { min: 0.9 } },
    { metric: 'revocationCostPct', value: { max: 5 } },
  ],

  async setup(ctx) {
    const { stack } = ctx;
    await stack.start(['auth']);
    const users = await stack.registerUsers(USERS);
    const protoRoot = path.join(stack.buildDir, 'proto');
    const baseline = await startChildServer(
      path.join(__dirname, '..', 'servers', 'grpc-validate-token.ts'),
      {
        PORT: String(BASELINE_PORT),
        PROTO_ROOT: protoRoot,
        JWKS_URL: `${stack.urls.auth.http}/.well-known/jwks.json`,
        JWT_ISSUER: 'messenger-auth',
        JWT_AUDIENCE: 'messenger',
        INTERNAL_API_TOKEN,
      },
      ctx,
    );
    const sides: Record<string, { client: ValidateClient; pid: number }> = {
      product: { client: validateClient(protoRoot, stack.urls.auth.grpc), pid: stack.pid('auth') },
      baseline: {
        client: validateClient(protoRoot, `127.0.0.1:${BASELINE_PORT}`),
        pid: baseline.pid,
      },
    };
    for (const side of Object.values(sides)) ctx.defer(() => side.client.close());
    // Both must accept the token and name the same user, or the comparison is void.
    for (const [name, side] of Object.entries(sides)) {
      const reply = await side.client.call(users[0].accessToken);
      if (reply.userId !== users[0].userId) {
        throw new Error(`${name} answered ${JSON.stringify(reply)}`);
      }
    }
    const tokens = users.map((u) => u.accessToken);
    const revocation = await revocationCost({
      buildDir: stack.buildDir,
      jwksUrl: `${stack.urls.auth.http}/.well-known/jwks.json`,
      tokens,
      cached: false,
    });
    ctx.log(
      `revocation check: ${revocation.withUs.toFixed(1)} µs per verification with the set of ` +
        `10,000 ended sessions, ${revocation.withoutUs.toFixed(1)} µs without ` +
        `(one lookup alone ${revocation.lookupNs.toFixed(0)} ns)`,
    );
    return { sides, tokens, revocation };
  },

  async run({ sides, tokens, revocation }, side, ctx) {
    const { client, pid } = sides[side];
    const cpu = ctx.measureCpu(pid);
    let next = 0;
    const result = await closedLoop(() => client.call(tokens[next++ % tokens.length]), {
      concurrency: CONCURRENCY,
      durationMs: ROUND_MS,
      signal: ctx.signal,
    });
    if (result.errors > 0)
      throw new Error(`${side}: ${result.errors} failed calls`, { cause: result.firstError });
    const cpuMsPerCall = (cpu() * 1000) / result.ops;
    return {
      callsPerSec: result.opsPerSec,
      p99Ms: result.latency.percentile(99),
      cpuMsPerCall,
      // The verification with the revocation set against without, per call.
      ...(side === 'product' && {
        revocationCostPct: (100 * revocation.addedUs) / (cpuMsPerCall * 1000),
      }),
    };
  },

  async teardown() {},
});
