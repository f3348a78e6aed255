// GW — the gateway's cost: the same requests through NGINX (infra/gateway, the template
// `npm run up` runs) and straight to the service. An authenticated REST read
// (`GET /v1/friends` with a Bearer token: edge authentication through `auth_request`, its
// 5 s per-token cache, the proxy hop with its keep-alive pool, headers, the JSON access
// log) and an unauthenticated one (`GET /.well-known/jwks.json`, which the gateway caches
// by auth's `Cache-Control`). Per round: throughput in a closed loop, then latency at a
// fixed rate, the same for both sides, so the percentiles show the added hop rather than
// queueing.

import { readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import {
  GATEWAY_TEMPLATE,
  gatewayPaths,
  startGateway,
  stopGateway,
} from '../../scripts/infra/gateway';
import { seedFriends, waitForUser } from '../lib/friends-seed';
import { defineCase } from '../lib/harness';
import { httpLoad, openLoop } from '../lib/load';
import { BENCH_INSTANCE, INTERNAL_API_TOKEN, benchPort, type ServiceName } from '../lib/stack';

const GATEWAY_NAME = `bench-${BENCH_INSTANCE}`;
const GATEWAY_PORT = benchPort(28080);
const STATUS_PORT = benchPort(28081);
const FRIENDS = 50;
const PAGE_SIZE = 20;
const CONNECTIONS = 32;
const LATENCY_SOCKETS = 16;
const THROUGHPUT_SECONDS = Number(process.env.BENCH_GW_THROUGHPUT_SECONDS ?? 2.5);
const LATENCY_SECONDS = Number(process.env.BENCH_GW_LATENCY_SECONDS ?? 2);
/** The fixed rate of the latency phases, as a share of what the direct side sustained. */
const LATENCY_LOAD = 0.5;
/** Far above what the load generator can send: the bench measures the path, not refusals. */
const BENCH_RATE = '100000r/s';
const BENCH_BURST = 100000;

/**
 * The gateway's template with its request rates and bursts raised (zones, keys and
 * `limit_req` checks unchanged, so their cost stays in the figures). Fails when the
 * template's limits no longer look as expected, rather than measuring a gateway that
 * answers 429.
 */
export function withBenchRates(template: string): string {
  const count = (pattern: RegExp) => (template.match(pattern) ?? []).length;
  const zones = count(/^\s*limit_req_zone\s/gm);
  const checks = count(/^\s*limit_req zone=/gm);
  const rates = /(^\s*limit_req_zone\s[^;]*\brate=)\d+r\/[sm]/gm;
  // A CPU-starved worker handles a backlog under one cached millisecond, so a burst of the
  // default size would refuse requests that the raised rate allows.
  const bursts = /(^\s*limit_req zone=\S+ burst=)\d+/gm;
  const result = template
    .replace(rates, (_, head: string) => `${head}${BENCH_RATE}`)
    .replace(bursts, (_, head: string) => `${head}${BENCH_BURST}`);
  if (zones === 0 || count(rates) !== zones || checks === 0 || count(bursts) !== checks) {
    throw new Error('the limit_req directives of the template are not the ones this case raises');
  }
  return result;
}

/** The worker processes of an nginx master: where its requests cost CPU. */
function childrenOf(pid: number): number[] {
  try {
    const list = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    if (list) return list.split(/\s+/).map(Number);
  } catch {
    // Kernels without CONFIG_PROC_CHILDREN: scan for the parent id below.
  }
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * The latency phases' client: node:http over a keep-alive pool, timed to the microsecond
 * (autocannon's histogram has 1 ms steps, coarser than the hop being measured).
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: LATENCY_SOCKETS });
function get(url: string, headers: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, headers }, (response) => {
      response.resume();
      response.on('end', () =>
        response.statusCode === 200
          ? resolve(undefined)
          : reject(new Error(`GET ${url}: ${response.statusCode}`)),
      );
    });
    request.on('error', reject);
  });
}

/** Body of a GET, failing on anything but 200. */
async function fetchJson(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(url, { headers });
  if (response.status !== 200) {
    throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  }
  return response.json();
}

/** Where one side sends the case's two reads, and the processes whose CPU they cost. */
interface SideTargets {
  friends: string;
  jwks: string;
  services: number[];
  nginx: number[];
}

export default defineCase({
  id: 'GW',
  title: 'the NGINX gateway: the same requests through :8080-style NGINX and direct',
  budgetMs: 240_000,
  rounds: 5,
  metrics: {
    reqPerSec: { unit: 'req/s (friends, closed loop)', better: 'higher' },
    p50Ms: { unit: 'ms (friends, fixed rate)', better: 'lower' },
    p99Ms: { unit: 'ms (friends, fixed rate)', better: 'lower' },
    cpuMsPerReq: { unit: 'CPU ms/req (friends + auth + nginx)', better: 'lower' },
    serviceCpuMsPerReq: { unit: 'CPU ms/req (friends + auth)', better: 'lower' },
    jwksReqPerSec: { unit: 'req/s (JWKS, closed loop)', better: 'higher' },
    jwksP50Ms: { unit: 'ms (JWKS, fixed rate)', better: 'lower' },
    jwksP99Ms: { unit: 'ms (JWKS, fixed rate)', better: 'lower' },
  },
  targets: [{ metric: 'reqPerSec', ratio: { min: 0.9 } }],

  async setup(ctx) {
    const { stack } = ctx;
    await stack.start(['friends']);
    const [user] = await stack.registerUsers(1, { prefix: 'gw' });
    const db = stack.db('friends');
    await waitForUser(db, user.userId, ctx);
    await seedFriends(db, user.userId, { count: FRIENDS, spreadDays: 30 });

    const upstream = (service: ServiceName) => new URL(stack.urls[service].http).host;
    // A leftover gateway of an interrupted run would be reused with its old settings, and
    // its caches hold the JWKS of a database this run recreated.
    await stopGateway(GATEWAY_NAME);
    const files = gatewayPaths(GATEWAY_NAME);
    for (const stale of [files.accessLog, files.runtime]) {
      rmSync(stale, { recursive: true, force: true });
    }
    const gateway = await startGateway({
      name: GATEWAY_NAME,
      listen: `127.0.0.1:${GATEWAY_PORT}`,
      statusListen: `127.0.0.1:${STATUS_PORT}`,
      upstreams: {
        auth: upstream('auth'),
        profile: upstream('profile'),
        friends: upstream('friends'),
        messenger: upstream('messenger'),
      },
      internalToken: INTERNAL_API_TOKEN,
      corsOrigins: '^http://127\\.0\\.0\\.1(:[0-9]+)?$',
      template: withBenchRates(readFileSync(GATEWAY_TEMPLATE, 'utf8')),
    });
    ctx.defer(() => stopGateway(GATEWAY_NAME));
    const workers = childrenOf(gateway.pid);
    ctx.log(
      `gateway ${gateway.status} at ${gateway.url} (master ${gateway.pid}, workers ${workers.join(',')})`,
    );

    const paths = { friends: `/v1/friends?limit=${PAGE_SIZE}`, jwks: '/.well-known/jwks.json' };
    const headers = { authorization: `Bearer ${user.accessToken}` };
    const sides: Record<'product' | 'baseline', SideTargets> & Record<string, SideTargets> = {
      product: {
        friends: gateway.url,
        jwks: gateway.url,
        services: [stack.pid('friends'), stack.pid('auth')],
        nginx: workers,
      },
      baseline: {
        friends: stack.urls.friends.http,
        jwks: stack.urls.auth.http,
        services: [stack.pid('friends'), stack.pid('auth')],
        nginx: [],
      },
    };
    // The same answers both ways, or the comparison is void.
    for (const [name, requestPath] of Object.entries(paths) as ['friends' | 'jwks', string][]) {
      const withToken = name === 'friends' ? headers : {};
      const [product, direct] = await Promise.all([
        fetchJson(sides.product[name] + requestPath, withToken),
        fetchJson(sides.baseline[name] + requestPath, withToken),
      ]);
      if (JSON.stringify(product) !== JSON.stringify(direct)) {
        throw new Error(`${name}: the gateway and the service answer differently`);
      }
      if (name === 'friends' && (product as { items?: unknown[] }).items?.length !== PAGE_SIZE) {
        throw new Error(`friends: expected a full page of ${PAGE_SIZE}`);
      }
    }
    // nginx logs each request as it ends: the friends read was edge-authenticated.
    const logged = readFileSync(gateway.accessLog, 'utf8');
    if (!logged.includes(`"user_id":"${user.userId}"`)) {
      throw new Error('the gateway did not log the edge-authenticated user of the friends read');
    }
    const refused = await fetch(`${gateway.url}${paths.friends}`, {
      headers: { authorization: 'Bearer not-a-token' },
    });
    if (refused.status !== 401) {
      throw new Error(`a bad token through the gateway answered ${refused.status}, not 401`);
    }

    // The latency phases run at a fixed rate: half of what the direct side sustains.
    const calibrate = async (url: string, requestHeaders: Record<string, string>) =>
      (
        await httpLoad({
          url,
          headers: requestHeaders,
          connections: CONNECTIONS,
          duration: 1.5,
          signal: ctx.signal,
        })
      ).reqPerSec;
    const rates = {
      friends: Math.max(
        50,
        Math.round(
          LATENCY_LOAD * (await calibrate(sides.baseline.friends + paths.friends, headers)),
        ),
      ),
      jwks: Math.max(
        50,
        Math.round(LATENCY_LOAD * (await calibrate(sides.baseline.jwks + paths.jwks, {}))),
      ),
    };
    ctx.log(`latency phases at ${rates.friends} req/s (friends) and ${rates.jwks} req/s (JWKS)`);
    return { sides, paths, headers, rates, phaseFactor: 1 };
  },

  /** On a slow machine: shorter phases, at the same rates. */
  scale(state, factor) {
    state.phaseFactor = factor;
  },

  async run({ sides, paths, headers, rates, phaseFactor }, side, ctx) {
    const urls = sides[side];
    const closed = (url: string, requestHeaders: Record<string, string>) =>
      httpLoad({
        url,
        headers: requestHeaders,
        connections: CONNECTIONS,
        duration: THROUGHPUT_SECONDS * phaseFactor,
        signal: ctx.signal,
      });
    const fixedRate = async (url: string, requestHeaders: Record<string, string>, rate: number) => {
      const result = await openLoop(() => get(url, requestHeaders), {
        ratePerSec: rate,
        durationMs: LATENCY_SECONDS * 1000 * phaseFactor,
        signal: ctx.signal,
      });
      if (result.errors > 0 || result.timedOut > 0) {
        throw new Error(
          `${url}: ${result.errors} errors, ${result.timedOut} timed out (${String(result.firstError)})`,
        );
      }
      return result.latency.summary();
    };
    const serviceCpu = ctx.measureCpu(urls.services);
    const nginxCpu = ctx.measureCpu(urls.nginx);
    const friends = await closed(urls.friends + paths.friends, headers);
    const serviceCpuMsPerReq = (serviceCpu() * 1000) / friends.requests;
    const cpuMsPerReq = serviceCpuMsPerReq + (nginxCpu() * 1000) / friends.requests;
    const friendsLatency = await fixedRate(urls.friends + paths.friends, headers, rates.friends);
    const jwks = await closed(urls.jwks + paths.jwks, {});
    const jwksLatency = await fixedRate(urls.jwks + paths.jwks, {}, rates.jwks);
    return {
      reqPerSec: friends.reqPerSec,
      p50Ms: friendsLatency.p50,
      p99Ms: friendsLatency.p99,
      cpuMsPerReq,
      serviceCpuMsPerReq,
      jwksReqPerSec: jwks.reqPerSec,
      jwksP50Ms: jwksLatency.p50,
      jwksP99Ms: jwksLatency.p99,
    };
  },

  teardown() {
    agent.destroy();
    return Promise.resolve();
  },
});
