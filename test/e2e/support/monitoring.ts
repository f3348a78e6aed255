/**
 * Reading the monitoring configuration under ops/ and the Prometheus text the services
 * export, so specs can check that every metric an alert or a dashboard panel names is one
 * a service really exports. Shared by test/repo/monitoring.spec.ts (static checks) and
 * test/e2e/monitoring.e2e-spec.ts (against live /metrics).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const OPS = path.join(REPO_ROOT, 'ops');

/** Series Prometheus makes itself, not scraped from a target. */
export const PROMETHEUS_SYNTHETIC = new Set(['up', 'scrape_duration_seconds', 'ALERTS']);

/** A PromQL expression and where it was found, for readable failures. */
export interface NamedExpr {
  where: string;
  expr: string;
}

interface RuleFile {
  groups: Array<{
    name: string;
    rules: Array<{
      alert?: string;
      record?: string;
      expr: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    }>;
  }>;
}

export interface Panel {
  id: number;
  type: string;
  datasource?: { type: string; uid: string };
  title: string;
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: Array<{ name: string; query?: { query: string } | string }> };
}

export function loadRules(): RuleFile {
  return parse(readFileSync(path.join(OPS, 'prometheus', 'alerts.yml'), 'utf8')) as RuleFile;
}

export function loadDashboards(): Array<{ file: string; dashboard: Dashboard }> {
  const dir = path.join(OPS, 'grafana', 'dashboards');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({
      file,
      dashboard: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Dashboard,
    }));
}

/** Every panel of a dashboard, rows' nested panels included. */
export function panelsOf(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Names defined by recording rules (usable in other expressions like metrics). */
export function recordedNames(rules: RuleFile = loadRules()): Set<string> {
  return new Set(rules.groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))));
}

/** Every PromQL expression of the rules and the dashboards (queries of variables included). */
export function monitoringExpressions(): NamedExpr[] {
  const rules = loadRules().groups.flatMap((group) =>
    group.rules.map((rule) => ({
      where: `alerts.yml ${group.name}/${rule.alert ?? rule.record}`,
      expr: rule.expr,
    })),
  );
  const dashboards = loadDashboards().flatMap(({ file, dashboard }) => [
    ...panelsOf(dashboard).flatMap((panel) =>
      (panel.targets ?? []).map((t) => ({ where: `${file} "${panel.title}"`, expr: t.expr })),
    ),
    ...(dashboard.templating?.list ?? []).map((variable) => ({
      where: `${file} variable $${variable.name}`,
      expr: labelValuesMetric(
        typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? ''),
      ),
    })),
  ]);
  return [...rules, ...dashboards];
}

/** `label_values(metric, label)` → `metric` (the only part that names a series). */
function labelValuesMetric(query: string): string {
  const match = /^label_values\(\s*([^,)]+)/.exec(query.trim());
  return match ? match[1] : query;
}

const PROMQL_KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression reads. Strings, label matchers, ranges, grouping
 * clauses and Grafana variables are removed first; what is left that looks like an
 * identifier and is not a function call or keyword is a metric name.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, '')
    .replace(/\$\{?\w+\}?/g, '');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const start = match.index;
    // Part of a number such as 1e3, or of a duration such as 5m.
    if (start > 0 && /[0-9.]/.test(stripped[start - 1])) continue;
    const rest = stripped.slice(start + match[0].length);
    if (/^\s*\(/.test(rest)) continue; // a function or aggregation
    if (PROMQL_KEYWORDS.has(match[0].toLowerCase())) continue;
    names.add(match[0]);
  }
  return [...names];
}

/** Metric families of a Prometheus text exposition: name → type (from `# TYPE`). */
export function metricTypes(exposition: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(match[1], match[2]);
  return types;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition. */
export function samples(exposition: string): Sample[] {
  return exposition
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([^{\s]+)(?:\{(.*)\})?\s+(\S+)/.exec(line);
      if (!match) throw new Error(`unparsable sample: ${line}`);
      const labels: Record<string, string> = {};
      for (const l of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/**
 * The exported family a series name belongs to: itself, or for `_bucket`/`_sum`/`_count`
 * the histogram (or summary, for `_sum`/`_count`) it is a part of. Undefined when no
 * exported family has that series.
 */
export function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  const match = /^(.+)_(bucket|sum|count)$/.exec(name);
  if (!match) return undefined;
  const type = types.get(match[1]);
  if (type === 'histogram') return match[1];
  if (type === 'summary' && match[2] !== 'bucket') return match[1];
  return undefined;
}

/** Runs a command-line tool, or says it is not installed. */
export function runTool(
  tool: string,
  args: string[],
): { installed: false } | { installed: true; status: number | null; output: string } {
  const result = spawnSync(tool, args, { cwd: REPO_ROOT, encoding: 'utf8' });
  const error: (Error & { code?: string }) | undefined = result.error;
  if (error?.code === 'ENOENT') {
    return { installed: false };
  }
  return { installed: true, status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Whether a tool is on PATH (`<tool> --version` runs). */
export function hasTool(tool: string): boolean {
  return runTool(tool, ['--version']).installed;
}
