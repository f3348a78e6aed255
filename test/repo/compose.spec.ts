/**
 * Static checks of docker-compose.yml. There is no Docker engine in CI, so nothing here
 * starts a container; instead the file is parsed and checked against the repository
 * and ARCHITECTURE.md, catching the mistakes that would otherwise only show on someone's
 * `docker compose up`: a renamed path, a wrong port, a dependency on a service that no
 * longer exists, a Kafka listener advertised on an address its clients cannot reach.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const COMPOSE_FILE = path.join(REPO_ROOT, 'docker-compose.yml');

const INFRA_SERVICES = ['kafka', 'postgres', 'redis'] as const;
const APP_SERVICES = ['auth', 'profile', 'friends', 'messenger'] as const;
const OBSERVABILITY_SERVICES = ['jaeger', 'prometheus', 'alertmanager', 'grafana'] as const;

/** Published ports per service, host side = container side (ARCHITECTURE.md). */
const ARCHITECTURE_PORTS: Record<(typeof APP_SERVICES)[number], { http: number; grpc?: number }> = {
  auth: { http: 3001, grpc: 50051 },
  profile: { http: 3002, grpc: 50052 },
  friends: { http: 3003, grpc: 50053 },
  messenger: { http: 3004 },
};

/** The broker address every host-side default uses (ARCHITECTURE.md, scripts/infra). */
const HOST_KAFKA = { host: '127.0.0.1', port: 9092 };

type Dict = Record<string, unknown>;
/** Values compose accepts in `environment` and `build.args` maps. */
type Scalar = string | number | boolean | null;

interface ComposeService {
  image?: string;
  build?:
    | string
    | {
        context?: string;
        dockerfile?: string;
        target?: string;
        args?: Record<string, Scalar> | string[];
      };
  environment?: Record<string, Scalar> | string[];
  ports?: Array<string | number | Dict>;
  volumes?: Array<string | Dict>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: Dict;
}

/**
 * What `docker compose` would substitute with an empty environment: `${VAR:-default}`
 * and `${VAR-default}` become the default, `${VAR}` / `$VAR` become empty, `$$` is a
 * literal dollar. The checks below are about the defaults a fresh clone runs with.
 */
function withDefaults(value: string): string {
  return value.replace(
    /\$\$|\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g,
    (match: string, _braced?: string, fallback?: string) =>
      match === '$$' ? '$' : (fallback ?? ''),
  );
}

/** Recursively applies {@link withDefaults} to every string of the parsed file. */
function interpolate<T>(value: T): T {
  if (typeof value === 'string') return withDefaults(value) as T;
  if (Array.isArray(value)) return value.map((v) => interpolate(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v)])) as T;
  }
  return value;
}

function loadCompose(): {
  services: Record<string, ComposeService>;
  errors: string[];
  warnings: string[];
} {
  // Compose resolves YAML merge keys (`<<: *anchor`), so the parser must too.
  const doc = parseDocument(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true });
  const parsed = interpolate(doc.toJS() as { services?: Record<string, ComposeService> });
  return {
    services: parsed?.services ?? {},
    errors: doc.errors.map((e) => e.message),
    warnings: doc.warnings.map((w) => w.message),
  };
}

/** `environment` in either of compose's forms (map or `KEY=value` list), as a map. */
function envOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const i = entry.indexOf('=');
        return i < 0 ? [entry, ''] : [entry.slice(0, i), entry.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v == null ? '' : String(v)]));
}

/** Build args in either form, as a map. */
function buildArgsOf(service: ComposeService): Record<string, string> {
  if (!service.build || typeof service.build === 'string') return {};
  const args = service.build.args ?? {};
  if (Array.isArray(args)) {
    return Object.fromEntries(args.map((a) => [a.split('=')[0], a.split('=').slice(1).join('=')]));
  }
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, v == null ? '' : String(v)]));
}

interface PortMapping {
  hostIp?: string;
  published?: number;
  target: number;
}

/** Parses compose's short (`[ip:][host:]container[/proto]`) and long port syntax. */
function parsePort(spec: string | number | Dict): PortMapping {
  if (typeof spec === 'number') return { target: spec };
  if (typeof spec === 'object') {
    return {
      hostIp: spec.host_ip as string | undefined,
      published: spec.published == null ? undefined : Number(spec.published),
      target: Number(spec.target),
    };
  }
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(?:(\d+):)?(\d+)(?:\/(?:tcp|udp))?$/.exec(spec);
  if (!match) throw new Error(`unsupported port syntax: ${spec}`);
  // With two parts the first is the host port, not an IP: `3001:3001`.
  const [, first, second, target] = match;
  if (second === undefined && first !== undefined) {
    return { published: Number(first), target: Number(target) };
  }
  return {
    hostIp: first,
    published: second === undefined ? undefined : Number(second),
    target: Number(target),
  };
}

function dependenciesOf(service: ComposeService): Array<{ name: string; condition?: string }> {
  const deps = service.depends_on ?? [];
  if (Array.isArray(deps)) return deps.map((name) => ({ name }));
  return Object.entries(deps).map(([name, opts]) => ({ name, condition: opts?.condition }));
}

/** Directory and Dockerfile a service builds from, resolved against the repository. */
function buildPaths(service: ComposeService): { context: string; dockerfile: string } | undefined {
  if (!service.build) return undefined;
  const build = typeof service.build === 'string' ? { context: service.build } : service.build;
  const context = path.resolve(REPO_ROOT, build.context ?? '.');
  return { context, dockerfile: path.resolve(context, build.dockerfile ?? 'Dockerfile') };
}

/** Host paths of bind mounts (short `./src:/dst[:ro]` or long `type: bind`). */
function bindSources(service: ComposeService): string[] {
  return (service.volumes ?? []).flatMap((volume) => {
    if (typeof volume === 'string') {
      const source = volume.split(':')[0];
      // Named volumes have no path separator; binds start with `.`, `/` or `~`.
      return /^[./~]/.test(source) ? [source] : [];
    }
    return volume.type === 'bind' && typeof volume.source === 'string' ? [volume.source] : [];
  });
}

/** `host:port` pairs of a Kafka listener list, keyed by listener name. */
function listeners(value: string | undefined): Record<string, { host: string; port: number }> {
  return Object.fromEntries(
    (value ?? '')
      .split(',')
      .filter(Boolean)
      .map((entry) => {
        const match = /^(\w+):\/\/([^:]*):(\d+)$/.exec(entry.trim());
        if (!match) throw new Error(`unparsable listener: ${entry}`);
        return [match[1], { host: match[2], port: Number(match[3]) }];
      }),
  );
}

describe('docker-compose.yml', () => {
  const { services, errors, warnings } = loadCompose();

  it('parses as YAML without errors or warnings', () => {
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('defines the infrastructure and the four services', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([...INFRA_SERVICES, ...APP_SERVICES, ...OBSERVABILITY_SERVICES]),
    );
  });

  describe.each(Object.keys(services))('service %s', (name) => {
    const service = services[name];

    it('builds from a context and Dockerfile that exist in the repository', () => {
      const paths = buildPaths(service);
      if (!paths) {
        // Not built here, so it must come from a registry.
        expect(service.image).toEqual(expect.any(String));
        return;
      }
      expect(existsSync(paths.context)).toBe(true);
      expect(existsSync(paths.dockerfile)).toBe(true);
    });

    it('bind-mounts only paths that exist', () => {
      for (const source of bindSources(service)) {
        const resolved = path.resolve(REPO_ROOT, source);
        // Paths outside the checkout (a host socket, a home directory) are the user's.
        if (!resolved.startsWith(REPO_ROOT + path.sep)) continue;
        expect({ source, exists: existsSync(resolved) }).toEqual({ source, exists: true });
      }
    });

    it('depends only on defined services, and waits for health only where one is checked', () => {
      for (const dep of dependenciesOf(service)) {
        expect(Object.keys(services)).toContain(dep.name);
        if (dep.condition === 'service_healthy') {
          const target = services[dep.name];
          const dockerfile = buildPaths(target)?.dockerfile;
          // A healthcheck in compose, or the HEALTHCHECK of the image it builds.
          const checked =
            target.healthcheck !== undefined ||
            (dockerfile !== undefined && /^HEALTHCHECK\s/m.test(readFileSync(dockerfile, 'utf8')));
          expect({ dependency: dep.name, healthChecked: checked }).toEqual({
            dependency: dep.name,
            healthChecked: true,
          });
        }
      }
    });
  });

  describe.each(APP_SERVICES)('app service %s', (name) => {
    const service = services[name] ?? {};
    const env = envOf(service);
    const expected = ARCHITECTURE_PORTS[name];

    it('selects an existing app through the APP build arg', () => {
      const app = buildArgsOf(service).APP;
      expect(app).toBe(name);
      const entry = path.join('apps', app, 'src', 'main.ts');
      expect({ entry, exists: existsSync(path.join(REPO_ROOT, entry)) }).toEqual({
        entry,
        exists: true,
      });
    });

    it('publishes the ports of ARCHITECTURE.md on the same host and container port', () => {
      const ports = (service.ports ?? []).map(parsePort);
      const wanted = [expected.http, expected.grpc].filter((p): p is number => p !== undefined);
      expect(ports.map((p) => p.target).sort()).toEqual([...wanted].sort());
      for (const port of ports) expect(port.published).toBe(port.target);
    });

    it('listens on the ports it publishes', () => {
      expect(env.HTTP_PORT).toBe(String(expected.http));
      if (expected.grpc) expect(env.GRPC_PORT).toBe(String(expected.grpc));
    });

    it('waits for PostgreSQL and Kafka to be healthy', () => {
      const deps = Object.fromEntries(dependenciesOf(service).map((d) => [d.name, d.condition]));
      expect(deps).toMatchObject({ postgres: 'service_healthy', kafka: 'service_healthy' });
    });

    it('uses its own database, which the init script creates', () => {
      const url = new URL(env.DATABASE_URL);
      expect(url.hostname).toBe('postgres');
      const database = url.pathname.slice(1);
      expect(database).toBe(name);
      const initSql = bindSources(services.postgres)
        .map((source) => path.resolve(REPO_ROOT, source))
        .filter((file) => file.endsWith('.sql'))
        .map((file) => readFileSync(file, 'utf8'))
        .join('\n');
      expect(initSql).toMatch(new RegExp(`CREATE DATABASE\\s+"?${database}"?\\s*;`, 'i'));
    });
  });

  describe('internal gRPC (ADR 0015)', () => {
    it('gives every app service the same service credential, long enough to be accepted', () => {
      const tokens = new Set(APP_SERVICES.map((name) => envOf(services[name]).INTERNAL_API_TOKEN));
      expect(tokens.size).toBe(1);
      const [token] = [...tokens];
      expect(token?.length ?? 0).toBeGreaterThanOrEqual(32);
    });

    it.each(['profile', 'friends'] as const)(
      'lets the other containers reach %s gRPC, but publishes it on loopback only',
      (name) => {
        // The services default to loopback; in a container that would shut out its callers.
        expect(envOf(services[name]).GRPC_HOST).toBe('0.0.0.0');
        const grpcPort = (services[name].ports ?? [])
          .map(parsePort)
          .find((p) => p.target === ARCHITECTURE_PORTS[name].grpc);
        expect(grpcPort?.hostIp).toBe('127.0.0.1');
      },
    );
  });

  describe('gateway', () => {
    const gateway = services.gateway ?? {};
    const env = envOf(gateway);
    const template = readFileSync(
      path.join(REPO_ROOT, 'infra', 'gateway', 'nginx.conf.template'),
      'utf8',
    );
    const placeholders = [
      ...new Set([...template.matchAll(/\$\{(GATEWAY_[A-Z0-9_]+)\}/g)].map((m) => m[1])),
    ].sort();

    it("runs the repository's gateway image: the official one, the template, the web client", () => {
      const paths = buildPaths(gateway);
      expect(typeof gateway.build === 'object' && gateway.build.target).toBe('gateway');
      const dockerfile = readFileSync(paths!.dockerfile, 'utf8');
      // The stage from `FROM … AS gateway` to the next FROM.
      const stage = /^FROM (\S+) AS gateway$([\s\S]*?)(?=^FROM |(?![\s\S]))/m.exec(dockerfile);
      expect(stage?.[1]).toBe('${NGINX_IMAGE}');
      expect(dockerfile).toMatch(/^ARG NGINX_IMAGE=nginx:/m);
      // Its entrypoint renders the template `npm run up` renders, where compose says.
      expect(stage?.[2]).toContain(
        `COPY infra/gateway/nginx.conf.template ${env.NGINX_ENVSUBST_TEMPLATE_DIR}/nginx.conf.template`,
      );
      // The web client `npm run build` bundles, served from GATEWAY_WEB_ROOT.
      expect(stage?.[2]).toContain(`COPY --from=build /app/dist/web ${env.GATEWAY_WEB_ROOT}`);
      // A build without --target (the app services') still ends with a service image.
      const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\w+)$/gm)].map((m) => m[1]);
      expect(stages.at(-1)).toBe('runtime');
      expect(env.NGINX_ENVSUBST_FILTER).toBe('GATEWAY_');
      expect((gateway as { command?: string[] }).command).toEqual(
        expect.arrayContaining(['nginx', '-c', `${env.NGINX_ENVSUBST_OUTPUT_DIR}/nginx.conf`]),
      );
      const given = Object.keys(env).filter((name) => name.startsWith('GATEWAY_'));
      expect(given.sort()).toEqual(placeholders);
      expect(placeholders.filter((name) => env[name] === '')).toEqual([]);
    });

    it("proxies to each app service's HTTP port, with the apps' service credential", () => {
      for (const name of APP_SERVICES) {
        const key = `GATEWAY_${name.toUpperCase()}_UPSTREAM`;
        expect({ key, value: env[key] }).toEqual({
          key,
          value: `${name}:${envOf(services[name]).HTTP_PORT}`,
        });
      }
      const credentials = new Set(APP_SERVICES.map((n) => envOf(services[n]).INTERNAL_API_TOKEN));
      expect([...credentials]).toEqual([env.GATEWAY_INTERNAL_TOKEN]);
      // nginx resolves the upstream names at start: the services must be up by then.
      expect(Object.fromEntries(dependenciesOf(gateway).map((d) => [d.name, d.condition]))).toEqual(
        Object.fromEntries(APP_SERVICES.map((n) => [n, 'service_healthy'])),
      );
      // Behind it, auth takes the client address from the header the gateway appends.
      expect(envOf(services.auth).TRUST_PROXY).toBe('true');
    });

    it('publishes :8080 only, and has its stub_status scraped through the exporter', () => {
      expect((gateway.ports ?? []).map(parsePort)).toEqual([
        { hostIp: undefined, published: 8080, target: Number(env.GATEWAY_LISTEN) },
      ]);
      const exporter = services['gateway-exporter'] as ComposeService & { command?: string[] };
      expect(exporter.command).toEqual([
        `--nginx.scrape-uri=http://gateway:${env.GATEWAY_STATUS_LISTEN}/stub_status`,
      ]);
      const prometheus = parseDocument(
        readFileSync(path.join(REPO_ROOT, 'ops', 'prometheus', 'prometheus.yml'), 'utf8'),
      ).toJS() as { scrape_configs: Array<{ job_name: string; static_configs: Dict[] }> };
      const job = prometheus.scrape_configs.find((j) => j.job_name === 'gateway');
      expect(job?.static_configs[0].targets).toEqual(['gateway-exporter:9113']);
    });
  });

  describe('observability', () => {
    /** Container path → host path (resolved) of a service's bind mounts. */
    const mounts = (service: ComposeService): Record<string, string> =>
      Object.fromEntries(
        (service.volumes ?? [])
          .filter((v): v is string => typeof v === 'string' && /^[./]/.test(v))
          .map((v) => {
            const [source, target] = v.split(':');
            return [target, path.resolve(REPO_ROOT, source)];
          }),
      );
    /** The host file a container path of a service reads, through its bind mounts. */
    const hostFile = (service: ComposeService, containerPath: string): string | undefined => {
      for (const [target, source] of Object.entries(mounts(service))) {
        if (containerPath === target) return source;
        if (containerPath.startsWith(`${target}/`)) {
          return path.join(source, containerPath.slice(target.length + 1));
        }
      }
      return undefined;
    };
    const yamlAt = (file: string | undefined) =>
      parseDocument(readFileSync(file!, 'utf8')).toJS() as Dict;

    it("sends every app service's traces to the OTLP/HTTP receiver of Jaeger", () => {
      const jaeger = services.jaeger;
      expect(envOf(jaeger).COLLECTOR_OTLP_ENABLED).toBe('true');
      for (const name of APP_SERVICES) {
        const endpoint = new URL(envOf(services[name]).OTEL_EXPORTER_OTLP_ENDPOINT);
        expect({ name, host: endpoint.host }).toEqual({ name, host: 'jaeger:4318' });
      }
    });

    it('has Prometheus scrape each app service on its container HTTP port, with its rules', () => {
      const prometheus = services.prometheus;
      const configArg = (prometheus as { command?: string[] }).command?.find((arg) =>
        arg.startsWith('--config.file='),
      );
      const configFile = hostFile(prometheus, configArg!.split('=')[1]);
      const config = yamlAt(configFile) as {
        rule_files: string[];
        scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
      };
      for (const rules of config.rule_files) {
        expect(existsSync(path.resolve(path.dirname(configFile!), rules))).toBe(true);
      }
      for (const name of APP_SERVICES) {
        const job = config.scrape_configs.find((j) => j.job_name === name);
        expect(job?.static_configs[0].targets).toEqual([
          `${name}:${envOf(services[name]).HTTP_PORT}`,
        ]);
      }
    });

    it('provisions Grafana with the Prometheus service and the dashboards folder it mounts', () => {
      const grafana = services.grafana;
      const datasources = yamlAt(
        hostFile(grafana, '/etc/grafana/provisioning/datasources/prometheus.yml'),
      ) as { datasources: Array<{ url: string }> };
      expect(new URL(datasources.datasources[0].url).host).toBe('prometheus:9090');
      const providers = yamlAt(
        hostFile(grafana, '/etc/grafana/provisioning/dashboards/messenger.yml'),
      ) as { providers: Array<{ options: { path: string } }> };
      const dashboards = hostFile(grafana, providers.providers[0].options.path);
      expect(dashboards).toBe(path.join(REPO_ROOT, 'ops', 'grafana', 'dashboards'));
      const home = hostFile(grafana, envOf(grafana).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
      expect(existsSync(home!)).toBe(true);
    });

    it('mounts the Alertmanager config and the secret files it references', () => {
      const alertmanager = services.alertmanager;
      const config = yamlAt(hostFile(alertmanager, '/etc/alertmanager/alertmanager.yml')) as {
        global: { slack_api_url_file: string };
        receivers: Array<{ pagerduty_configs?: Array<{ routing_key_file: string }> }>;
      };
      const files = [
        config.global.slack_api_url_file,
        ...config.receivers.flatMap((r) =>
          (r.pagerduty_configs ?? []).map((p) => p.routing_key_file),
        ),
      ];
      for (const file of files) {
        expect({ file, exists: existsSync(hostFile(alertmanager, file) ?? '') }).toEqual({
          file,
          exists: true,
        });
      }
    });

    it('publishes the observability UIs on loopback only', () => {
      for (const name of OBSERVABILITY_SERVICES) {
        for (const port of (services[name].ports ?? []).map(parsePort)) {
          expect({ name, hostIp: port.hostIp }).toEqual({ name, hostIp: '127.0.0.1' });
        }
      }
    });
  });

  describe('kafka listeners', () => {
    const kafkaEnv = envOf(services.kafka ?? {});
    const advertised = listeners(kafkaEnv.KAFKA_ADVERTISED_LISTENERS);
    const bound = listeners(kafkaEnv.KAFKA_LISTENERS);

    it('advertises, for the apps, the internal address they are configured with', () => {
      const appBrokers = new Set(
        APP_SERVICES.map((name) => envOf(services[name] ?? {}).KAFKA_BROKERS),
      );
      expect(appBrokers.size).toBe(1);
      const [broker] = [...appBrokers];
      const internal = Object.values(advertised).find((l) => `${l.host}:${l.port}` === broker);
      expect(internal).toBeDefined();
      // Reachable by name on the compose network, i.e. not a loopback address.
      expect(internal!.host).toBe('kafka');
    });

    it('lets host processes use the default KAFKA_BROKERS=127.0.0.1:9092', () => {
      const external = Object.entries(advertised).find(
        ([, l]) => l.host === HOST_KAFKA.host && l.port === HOST_KAFKA.port,
      );
      expect(external).toBeDefined();
      const [listenerName] = external!;
      // The advertised host port must be published, forwarding to the port that
      // listener binds inside the container.
      const published = (services.kafka.ports ?? []).map(parsePort);
      expect(published).toContainEqual(
        expect.objectContaining({ published: HOST_KAFKA.port, target: bound[listenerName]?.port }),
      );
    });

    it('keeps every advertised listener bound and the controller listener unadvertised', () => {
      for (const name of Object.keys(advertised)) expect(Object.keys(bound)).toContain(name);
      const controllers = (kafkaEnv.KAFKA_CONTROLLER_LISTENER_NAMES ?? '')
        .split(',')
        .filter(Boolean);
      expect(controllers.length).toBeGreaterThan(0);
      for (const name of controllers) {
        expect(Object.keys(bound)).toContain(name);
        expect(Object.keys(advertised)).not.toContain(name);
      }
    });

    it('runs KRaft single-node with topic auto-creation off', () => {
      expect(kafkaEnv.KAFKA_PROCESS_ROLES).toBe('broker,controller');
      expect(kafkaEnv.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
      expect(kafkaEnv.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
      expect(kafkaEnv.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe('1');
    });
  });
});
