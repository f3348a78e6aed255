/**
 * Static checks of the monitoring configuration under ops/: the PromQL reader the live
 * cross-check relies on (test/e2e/monitoring.e2e-spec.ts), dashboards and rules that are
 * well-formed and cover what on-call needs, scrape targets on the services' real ports,
 * alert routing by severity with secrets only by reference, promtool's config and rule
 * checks and rule unit tests (promtool is installed from Debian's `prometheus` package when
 * missing, see test/e2e/support/promtool.ts), and — when installed (Debian:
 * `apt-get install prometheus-alertmanager`) — amtool's config check.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  OPS,
  hasTool,
  loadDashboards,
  loadRules,
  metricNamesIn,
  monitoringExpressions,
  panelsOf,
  recordedNames,
  runTool,
} from '../e2e/support/monitoring';
import { ensurePromtool } from '../e2e/support/promtool';

/** HTTP ports of ARCHITECTURE.md, where each service serves GET /metrics. */
const HTTP_PORTS = { auth: 3001, profile: 3002, friends: 3003, messenger: 3004 };

describe('metricNamesIn (the PromQL reader of the metric cross-check)', () => {
  it.each([
    ['up{job=~"auth|profile"} == 0', ['up']],
    [
      'sum by (service, le) (rate(http_server_request_duration_seconds_bucket{route!="/metrics"}[5m]))',
      ['http_server_request_duration_seconds_bucket'],
    ],
    [
      'histogram_quantile(0.99, sum by (event, le) (rate(socketio_event_duration_seconds_bucket{service=~"$service"}[$__rate_interval])))',
      ['socketio_event_duration_seconds_bucket'],
    ],
    [
      '(service:server_errors:rate5m / service:requests:rate5m) > 0.05\nand service:requests:rate5m > 0.1',
      ['service:server_errors:rate5m', 'service:requests:rate5m'],
    ],
    ['process_resident_memory_bytes > 400 * 1024 * 1024', ['process_resident_memory_bytes']],
    [
      'increase(kafka_events_dead_lettered_total[15m]) offset 1h > 0',
      ['kafka_events_dead_lettered_total'],
    ],
    ['a_total{x="by (y) sum(z)"} or on (service) b_total', ['a_total', 'b_total']],
  ])('reads %j', (expr, names) => {
    expect(metricNamesIn(expr).sort()).toEqual([...names].sort());
  });

  it('finds metric names in every rule and panel', () => {
    for (const { where, expr } of monitoringExpressions()) {
      expect({ where, names: metricNamesIn(expr).length > 0 }).toEqual({ where, names: true });
    }
  });
});

describe('ops/prometheus', () => {
  const rules = loadRules();
  const alerts = rules.groups.flatMap((g) => g.rules.filter((r) => r.alert));

  it('has the alerts on-call relies on', () => {
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        'ServiceDown',
        'HighErrorRate',
        'SlowResponses',
        'HighMemoryUsage',
        'KafkaConsumerLag',
      ]),
    );
  });

  it('gives every alert a routable severity and a summary', () => {
    for (const alert of alerts) {
      expect({ alert: alert.alert, severity: alert.labels?.severity }).toEqual({
        alert: alert.alert,
        severity: expect.stringMatching(/^(warning|critical)$/),
      });
      expect(alert.annotations?.summary).toEqual(expect.any(String));
    }
  });

  it('uses recording rules only where they are defined', () => {
    const recorded = recordedNames(rules);
    const used = monitoringExpressions()
      .flatMap((e) => metricNamesIn(e.expr))
      .filter((name) => name.includes(':'));
    for (const name of used) expect(recorded).toContain(name);
  });

  it("scrapes every service's /metrics on its HTTP port, one job per service", () => {
    const config = parse(readFileSync(path.join(OPS, 'prometheus', 'prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{
        job_name: string;
        metrics_path?: string;
        static_configs: Array<{ targets: string[] }>;
      }>;
    };
    const jobs = Object.fromEntries(
      config.scrape_configs.map((job) => [job.job_name, job.static_configs[0].targets]),
    );
    for (const [service, port] of Object.entries(HTTP_PORTS)) {
      expect(jobs[service]).toEqual([`${service}:${port}`]);
    }
    expect(config.scrape_configs.map((job) => job.metrics_path ?? '/metrics')).toEqual(
      config.scrape_configs.map(() => '/metrics'),
    );
    expect(config.rule_files).toEqual(['alerts.yml']);
  });

  // Installed when missing and possible (test/e2e/support/promtool.ts): on CI these checks
  // never skip silently.
  const promtool = ensurePromtool();
  if (promtool.unavailable) console.warn(`promtool checks skipped: ${promtool.unavailable}`);
  const withPromtool = promtool.path ? it : it.skip;

  withPromtool('passes promtool check config and check rules', () => {
    const config = runTool(promtool.path!, ['check', 'config', 'ops/prometheus/prometheus.yml']);
    if (config.installed && config.status !== 0) throw new Error(config.output);
    expect(config).toMatchObject({ installed: true, status: 0 });
  });

  withPromtool('passes the alert unit tests (promtool test rules)', () => {
    const result = runTool(promtool.path!, ['test', 'rules', 'ops/prometheus/alerts.test.yml']);
    if (result.installed && result.status !== 0) throw new Error(result.output);
    expect(result).toMatchObject({ installed: true, status: 0 });
  });
});

describe('ops/alertmanager', () => {
  const file = path.join(OPS, 'alertmanager', 'alertmanager.yml');
  const text = readFileSync(file, 'utf8');
  const config = parse(text) as {
    global: Record<string, string>;
    route: { receiver: string; routes: Array<{ receiver: string; matchers: string[] }> };
    receivers: Array<{
      name: string;
      slack_configs?: Array<Record<string, unknown>>;
      pagerduty_configs?: Array<Record<string, unknown>>;
    }>;
  };
  const receiver = (name: string) => config.receivers.find((r) => r.name === name)!;

  it('pages critical alerts through PagerDuty and sends warnings to Slack', () => {
    const bySeverity = Object.fromEntries(
      config.route.routes.map((r) => [r.matchers.join(','), receiver(r.receiver)]),
    );
    expect(bySeverity['severity="critical"'].pagerduty_configs).toHaveLength(1);
    expect(bySeverity['severity="warning"'].slack_configs).toHaveLength(1);
    // Anything unlabelled still reaches somebody.
    expect(receiver(config.route.receiver).slack_configs).toHaveLength(1);
  });

  it('holds no secret, only references to mounted secret files', () => {
    expect(config.global.slack_api_url_file).toMatch(/^\/etc\/alertmanager\/secrets\//);
    expect(receiver('pagerduty-critical').pagerduty_configs![0].routing_key_file).toMatch(
      /^\/etc\/alertmanager\/secrets\//,
    );
    expect(text).not.toMatch(/hooks\.slack\.com|\bapi_url:|\brouting_key:|\bservice_key:/);
  });

  const amtool = hasTool('amtool');
  if (!amtool) {
    console.warn(
      'amtool is not installed (Debian: apt-get install prometheus-alertmanager): skipping its check',
    );
  }
  (amtool ? it : it.skip)('passes amtool check-config', () => {
    const result = runTool('amtool', ['check-config', 'ops/alertmanager/alertmanager.yml']);
    if (result.installed && result.status !== 0) throw new Error(result.output);
    expect(result).toMatchObject({ installed: true, status: 0 });
  });
});

describe('ops/grafana', () => {
  const dashboards = loadDashboards();
  const titles = dashboards.flatMap(({ dashboard }) => panelsOf(dashboard).map((p) => p.title));

  it('has the sections on-call looks at', () => {
    expect(titles).toEqual(
      expect.arrayContaining([
        'Service Health',
        'Request Rate',
        'Error Rate',
        'Response Time',
        'Kafka Message Rate',
        'Memory Usage',
      ]),
    );
  });

  it('gives dashboards unique uids and panels unique ids, all on the provisioned data source', () => {
    const uids = dashboards.map(({ dashboard }) => dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
    const datasource = parse(
      readFileSync(
        path.join(OPS, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'),
        'utf8',
      ),
    ) as { datasources: Array<{ uid: string }> };
    const uid = datasource.datasources[0].uid;
    for (const { dashboard } of dashboards) {
      const panels = panelsOf(dashboard);
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      for (const panel of panels.filter((p) => p.datasource)) {
        expect(panel.datasource!.uid).toBe(uid);
      }
    }
  });
});

describe('tracing start-up order', () => {
  // Instrumentation patches a library only for code that loads it afterwards, and
  // @app/platform starts tracing when it is first imported (libs/platform/src/tracing).
  it.each(Object.keys(HTTP_PORTS))(
    "%s's main.ts imports @app/platform before anything else",
    (app) => {
      const source = readFileSync(path.join(OPS, '..', 'apps', app, 'src', 'main.ts'), 'utf8');
      const firstImport = /^import\s[^;]*?from\s+'([^']+)'/m.exec(source)?.[1];
      expect(firstImport).toBe('@app/platform');
    },
  );

  it("@app/platform's index registers tracing before exporting anything", () => {
    const index = readFileSync(path.join(OPS, '..', 'libs', 'platform', 'src', 'index.ts'), 'utf8');
    const statements = index.match(/^(import|export)\s.*$/gm) ?? [];
    expect(statements[0]).toBe("import './tracing/register';");
  });
});
