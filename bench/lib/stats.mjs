// Pure statistics of the benchmark harness: medians, percentiles, per-round ratios and
// the evaluation of targets and checks. No I/O here, so a unit spec covers all of it
// (bench/lib/stats.spec.ts).

/**
 * The p-th percentile (0–100) of `values` by the nearest-rank method: the smallest value
 * that at least p % of the values do not exceed. NaN for an empty list.
 * @param {readonly number[]} values
 * @param {number} p
 * @returns {number}
 */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * The median; for an even count, the mean of the two middle values.
 * @param {readonly number[]} values
 * @returns {number}
 */
export function median(values) {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return NaN;
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * product ÷ baseline, or NaN when either is missing or the baseline is 0.
 * @param {number | undefined} product
 * @param {number | undefined} baseline
 */
export function ratio(product, baseline) {
  if (!Number.isFinite(product) || !Number.isFinite(baseline) || baseline === 0) return NaN;
  return /** @type {number} */ (product) / /** @type {number} */ (baseline);
}

/**
 * @typedef {{ product: Record<string, number>, baseline: Record<string, number>, [side: string]: Record<string, number> }} RoundPair
 * One measured round: what each side returned — the product, the baseline and any further
 * reference sides a case declares (`relay`, `jit`, …).
 */

/**
 * @typedef {object} MetricSummary
 * @property {string} metric
 * @property {number} product       median over the product rounds
 * @property {number} baseline      median over the baseline rounds
 * @property {number} ratio         median of the per-round ratios product ÷ baseline
 * @property {number} ratioMin
 * @property {number} ratioMax
 * @property {number[]} ratios      per-round ratios, in round order
 */

/**
 * Median product, median baseline and per-round ratios of every metric any round
 * returned. Ratios pair the product and baseline of the same round, since a round's sides
 * ran back to back under the same machine conditions. `against` names the side the
 * product is compared with (default `baseline`).
 * @param {readonly RoundPair[]} rounds
 * @param {string} [against]
 * @returns {MetricSummary[]}
 */
export function summarizeRounds(rounds, against = 'baseline') {
  const names = new Set();
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
 * @typedef {object} Target
 * A goal of a case. Forms:
 * - `{ metric, ratio: { min } }` — median ratio product ÷ baseline ≥ min (higher-better);
 * - `{ metric, ratio: { max } }` — median ratio ≤ max (lower-better);
 * - `{ metric, maxDelta }` — median product ≤ median baseline + maxDelta (absolute units);
 * - `{ metric, per, ratio: { min | max } }` — within the product alone: median of the
 *   per-round ratios product[metric] ÷ product[per] (e.g. p99 at page 1000 ÷ at page 1);
 * - `{ metric, value: { min | max } }` — the product's median itself within bounds
 *   (absolute units, e.g. an added cost in % ≤ 5).
 * Ratio and delta forms compare with the side named by `against` (default `baseline`).
 * @property {string} metric
 * @property {{ min?: number, max?: number }} [ratio]
 * @property {{ min?: number, max?: number }} [value]
 * @property {number} [maxDelta]
 * @property {string} [per]
 * @property {string} [against]
 */

/**
 * @typedef {object} TargetResult
 * @property {string} metric
 * @property {string} target      human-readable form, e.g. "≥ 0.9×"
 * @property {number} value       the figure compared (a ratio, or the product median for maxDelta)
 * @property {number} [min]       min–max of the per-round figures, when they exist
 * @property {number} [max]
 * @property {boolean} pass
 */

/**
 * Evaluates one target against the rounds.
 * @param {Target} target
 * @param {readonly RoundPair[]} rounds
 * @returns {TargetResult}
 */
export function evaluateTarget(target, rounds) {
  const { metric } = target;
  const against = target.against ?? 'baseline';
  const suffix = against === 'baseline' ? '' : ` vs ${against}`;
  if (target.value !== undefined) {
    const values = rounds.map((r) => r.product?.[metric]).filter(Number.isFinite);
    const value = median(values);
    const { min, max } = target.value;
    const parts = [];
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
  const perRound = target.per
    ? rounds.map((r) => ratio(r.product?.[metric], r.product?.[target.per]))
    : rounds.map((r) => ratio(r.product?.[metric], r[against]?.[metric]));
  const finite = perRound.filter(Number.isFinite);
  const value = median(finite);
  const pass =
    Number.isFinite(value) &&
    (bound.min === undefined || value >= bound.min) &&
    (bound.max === undefined || value <= bound.max);
  const parts = [];
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

/**
 * @typedef {{ metric: string, equals?: number, max?: number, min?: number }} Check
 * A hard condition every product round must meet (e.g. `{ metric: 'lost', equals: 0 }`).
 */

/**
 * Evaluates a check over every product round (warm-up excluded).
 * @param {Check} check
 * @param {readonly RoundPair[]} rounds
 * @returns {{ metric: string, target: string, values: number[], pass: boolean }}
 */
export function evaluateCheck(check, rounds) {
  const values = rounds.map((r) => r.product?.[check.metric]);
  const ok = (v) =>
    typeof v === 'number' &&
    (check.equals === undefined || v === check.equals) &&
    (check.max === undefined || v <= check.max) &&
    (check.min === undefined || v >= check.min);
  const parts = [];
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
 * @param {{ maxCorePct: number, machinePct: number }} usage
 */
export function loadGeneratorSaturated({ maxCorePct, machinePct }) {
  return maxCorePct >= SATURATED_CORE_PCT || machinePct >= SATURATED_MACHINE_PCT;
}
