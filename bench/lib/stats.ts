// Pure statistics of the benchmark harness: medians, percentiles, per-round ratios and
// the evaluation of targets and checks. No I/O here, so a unit spec covers all of it
// (bench/lib/stats.spec.ts).

/**
 * The p-th percentile (0–100) of `values` by the nearest-rank method: the smallest value
 * that at least p % of the values do not exceed. NaN for an empty list.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** The median; for an even count, the mean of the two middle values. */
export function median(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return NaN;
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** product ÷ baseline, or NaN when either is missing or the baseline is 0. */
export function ratio(product: number | undefined, baseline: number | undefined): number {
  if (
    product === undefined ||
    baseline === undefined ||
    !Number.isFinite(product) ||
    !Number.isFinite(baseline) ||
    baseline === 0
  ) {
    return NaN;
  }
  return product / baseline;
}

/**
 * One measured round: what each side returned — the product, the baseline and any further
 * reference sides a case declares (`relay`, `jit`, …).
 */
export interface RoundPair {
  product: Record<string, number>;
  baseline: Record<string, number>;
  [side: string]: Record<string, number>;
}

export interface MetricSummary {
  metric: string;
  /** median over the product rounds */
  product: number;
  /** median over the baseline rounds */
  baseline: number;
  /** median of the per-round ratios product ÷ baseline */
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  /** per-round ratios, in round order */
  ratios: number[];
}

/**
 * Median product, median baseline and per-round ratios of every metric any round
 * returned. Ratios pair the product and baseline of the same round, since a round's sides
 * ran back to back under the same machine conditions. `against` names the side the
 * product is compared with (default `baseline`).
 */
export function summarizeRounds(
  rounds: readonly RoundPair[],
  against = 'baseline',
): MetricSummary[] {
  const names = new Set<string>();
  for (const round of rounds) {
    for (const name of Object.keys(round.product ?? {})) names.add(name);
    for (const name of Object.keys(round[against] ?? {})) names.add(name);
  }
  return [...names].map((metric) => {
    const products = rounds.map((r) => r.product?.[metric]);
    const baselines = rounds.map((r) => r[against]?.[metric]);
    const ratios = rounds.map((_, i) => ratio(products[i], baselines[i]));
    const finiteRatios = ratios.filter(Number.isFinite);
    return {
      metric,
      product: median(products.filter((v) => typeof v === 'number')),
      baseline: median(baselines.filter((v) => typeof v === 'number')),
      ratio: median(finiteRatios),
      ratioMin: finiteRatios.length ? Math.min(...finiteRatios) : NaN,
      ratioMax: finiteRatios.length ? Math.max(...finiteRatios) : NaN,
      ratios,
    };
  });
}

/**
 * A goal of a case. Forms:
 * - `{ metric, ratio: { min } }` — median ratio product ÷ baseline ≥ min (higher-better);
 * - `{ metric, ratio: { max } }` — median ratio ≤ max (lower-better);
 * - `{ metric, maxDelta }` — median product ≤ median baseline + maxDelta (absolute units);
 * - `{ metric, per, ratio: { min | max } }` — within the product alone: median of the
 *   per-round ratios product[metric] ÷ product[per] (e.g. p99 at page 1000 ÷ at page 1);
 * - `{ metric, value: { min | max } }` — the product's median itself within bounds
 *   (absolute units, e.g. an added cost in % ≤ 5).
 * Ratio and delta forms compare with the side named by `against` (default `baseline`).
 */
export interface Target {
  metric: string;
  ratio?: { min?: number; max?: number };
  value?: { min?: number; max?: number };
  maxDelta?: number;
  per?: string;
  against?: string;
}

export interface TargetResult {
  metric: string;
  /** human-readable form, e.g. "≥ 0.9×" */
  target: string;
  /** the figure compared (a ratio, or the product median for maxDelta) */
  value: number;
  /** min–max of the per-round figures, when they exist */
  min?: number;
  max?: number;
  pass: boolean;
}

/** Evaluates one target against the rounds. */
export function evaluateTarget(target: Target, rounds: readonly RoundPair[]): TargetResult {
  const { metric } = target;
  const against = target.against ?? 'baseline';
  const suffix = against === 'baseline' ? '' : ` vs ${against}`;
  if (target.value !== undefined) {
    const values = rounds.map((r) => r.product?.[metric]).filter(Number.isFinite);
    const value = median(values);
    const { min, max } = target.value;
    const parts: string[] = [];
    if (min !== undefined) parts.push(`≥ ${min}`);
    if (max !== undefined) parts.push(`≤ ${max}`);
    return {
      metric,
      target: parts.join(' '),
      value,
      min: values.length ? Math.min(...values) : NaN,
      max: values.length ? Math.max(...values) : NaN,
      pass:
        Number.isFinite(value) &&
        (min === undefined || value >= min) &&
        (max === undefined || value <= max),
    };
  }
  if (target.maxDelta !== undefined) {
    const product = median(rounds.map((r) => r.product?.[metric]));
    const baseline = median(rounds.map((r) => r[against]?.[metric]));
    const deltas = rounds
      .map((r) => r.product?.[metric] - r[against]?.[metric])
      .filter(Number.isFinite);
    return {
      metric,
      target: `≤ ${against} + ${target.maxDelta}`,
      value: product - baseline,
      min: deltas.length ? Math.min(...deltas) : NaN,
      max: deltas.length ? Math.max(...deltas) : NaN,
      pass: product <= baseline + target.maxDelta,
    };
  }
  const bound = target.ratio ?? {};
  const { per } = target;
  const perRound = per
    ? rounds.map((r) => ratio(r.product?.[metric], r.product?.[per]))
    : rounds.map((r) => ratio(r.product?.[metric], r[against]?.[metric]));
  const finite = perRound.filter(Number.isFinite);
  const value = median(finite);
  const pass =
    Number.isFinite(value) &&
    (bound.min === undefined || value >= bound.min) &&
    (bound.max === undefined || value <= bound.max);
  const parts: string[] = [];
  if (bound.min !== undefined) parts.push(`≥ ${bound.min}×`);
  if (bound.max !== undefined) parts.push(`≤ ${bound.max}×`);
  return {
    metric,
    target: parts.join(' ') + (target.per ? ` ${target.per}` : suffix),
    value,
    min: finite.length ? Math.min(...finite) : NaN,
    max: finite.length ? Math.max(...finite) : NaN,
    pass,
  };
}

/** A hard condition every product round must meet (e.g. `{ metric: 'lost', equals: 0 }`). */
export interface Check {
  metric: string;
  equals?: number;
  max?: number;
  min?: number;
}

export interface CheckResult {
  metric: string;
  target: string;
  values: number[];
  pass: boolean;
}

/** Evaluates a check over every product round (warm-up excluded). */
export function evaluateCheck(check: Check, rounds: readonly RoundPair[]): CheckResult {
  const values = rounds.map((r) => r.product?.[check.metric]);
  const ok = (v: number | undefined) =>
    typeof v === 'number' &&
    (check.equals === undefined || v === check.equals) &&
    (check.max === undefined || v <= check.max) &&
    (check.min === undefined || v >= check.min);
  const parts: string[] = [];
  if (check.equals !== undefined) parts.push(`= ${check.equals}`);
  if (check.min !== undefined) parts.push(`≥ ${check.min}`);
  if (check.max !== undefined) parts.push(`≤ ${check.max}`);
  return {
    metric: check.metric,
    target: parts.join(' '),
    values,
    pass: values.length > 0 && values.every(ok),
  };
}

/** A load-generator process at or above this share of one core ran flat out. */
export const SATURATED_CORE_PCT = 90;
/** Load generators together at or above this share of the whole machine crowd the servers out. */
export const SATURATED_MACHINE_PCT = 50;

/**
 * Whether the load generator saturated the machine in a round: one of its processes used
 * (nearly) a whole core, so it — not the server — may have set the pace, or all of them
 * together took half the machine's CPU, leaving the servers competing for the rest.
 * Such rounds are marked; their throughput ratios understate the server under test.
 */
export function loadGeneratorSaturated({
  maxCorePct,
  machinePct,
}: {
  maxCorePct: number;
  machinePct: number;
}): boolean {
  return maxCorePct >= SATURATED_CORE_PCT || machinePct >= SATURATED_MACHINE_PCT;
}
