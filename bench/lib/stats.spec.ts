// The harness statistics: a wrong median or a target read the wrong way round would print
// pass for a miss, so these are pinned down here.
import {
  evaluateCheck,
  evaluateTarget,
  loadGeneratorSaturated,
  median,
  percentile,
  ratio,
  summarizeRounds,
} from './stats';

const rounds = (pairs: [Record<string, number>, Record<string, number>][]) =>
  pairs.map(([product, baseline]) => ({ product, baseline }));

describe('bench statistics', () => {
  it('takes the median of odd and even counts, ignoring missing values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, NaN, 1, 3])).toBe(3);
    expect(median([])).toBeNaN();
  });

  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('refuses a ratio to a zero or missing baseline', () => {
    expect(ratio(90, 100)).toBe(0.9);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(1, undefined)).toBeNaN();
  });

  it('pairs product and baseline of the same round for the ratio', () => {
    const [summary] = summarizeRounds(
      rounds([
        [{ rps: 90 }, { rps: 100 }],
        [{ rps: 50 }, { rps: 100 }],
        [{ rps: 120 }, { rps: 100 }],
      ]),
    );
    expect(summary).toMatchObject({ metric: 'rps', product: 90, baseline: 100, ratio: 0.9 });
    expect(summary.ratioMin).toBe(0.5);
    expect(summary.ratioMax).toBe(1.2);
  });

  it('passes a higher-better target at its bound and misses below it', () => {
    const data = rounds([
      [{ rps: 90 }, { rps: 100 }],
      [{ rps: 89 }, { rps: 100 }],
      [{ rps: 91 }, { rps: 100 }],
    ]);
    expect(evaluateTarget({ metric: 'rps', ratio: { min: 0.9 } }, data).pass).toBe(true);
    expect(evaluateTarget({ metric: 'rps', ratio: { min: 0.95 } }, data).pass).toBe(false);
  });

  it('reads a lower-better target as a ceiling on the ratio', () => {
    const data = rounds([
      [{ p99: 12 }, { p99: 10 }],
      [{ p99: 13 }, { p99: 10 }],
    ]);
    expect(evaluateTarget({ metric: 'p99', ratio: { max: 1.2 } }, data).pass).toBe(false);
    expect(evaluateTarget({ metric: 'p99', ratio: { max: 1.3 } }, data).pass).toBe(true);
  });

  it('compares an absolute delta against the baseline median', () => {
    const data = rounds([
      [{ p50: 5 }, { p50: 3 }],
      [{ p50: 6 }, { p50: 3 }],
    ]);
    const result = evaluateTarget({ metric: 'p50', maxDelta: 2 }, data);
    expect(result.value).toBe(2.5);
    expect(result.pass).toBe(false);
    expect(evaluateTarget({ metric: 'p50', maxDelta: 3 }, data).pass).toBe(true);
  });

  it('compares two metrics of the product with `per`', () => {
    const data = rounds([
      [{ deep: 11, first: 10 }, {}],
      [{ deep: 14, first: 10 }, {}],
      [{ deep: 11, first: 10 }, {}],
    ]);
    const result = evaluateTarget({ metric: 'deep', per: 'first', ratio: { max: 1.2 } }, data);
    expect(result.value).toBeCloseTo(1.1);
    expect(result.pass).toBe(true);
  });

  it('fails a check when any round breaks it', () => {
    const data = rounds([
      [{ lost: 0 }, {}],
      [{ lost: 1 }, {}],
    ]);
    expect(evaluateCheck({ metric: 'lost', equals: 0 }, data).pass).toBe(false);
    expect(evaluateCheck({ metric: 'lost', max: 1 }, data).pass).toBe(true);
    expect(evaluateCheck({ metric: 'absent', equals: 0 }, data).pass).toBe(false);
  });

  it('compares with the side a target names', () => {
    const data = [
      { product: { rps: 50 }, baseline: { rps: 100 }, relay: { rps: 200 } },
      { product: { rps: 60 }, baseline: { rps: 100 }, relay: { rps: 200 } },
    ];
    expect(evaluateTarget({ metric: 'rps', ratio: { min: 0.5 } }, data).value).toBeCloseTo(0.55);
    const relay = evaluateTarget({ metric: 'rps', against: 'relay', ratio: { min: 0.5 } }, data);
    expect(relay.value).toBeCloseTo(0.275);
    expect(relay.pass).toBe(false);
    expect(relay.target).toBe('≥ 0.5× vs relay');
    expect(summarizeRounds(data, 'relay')[0]).toMatchObject({ baseline: 200, ratioMax: 0.3 });
  });

  it('bounds the product median itself with `value`', () => {
    const data = rounds([
      [{ costPct: 0.4 }, {}],
      [{ costPct: 6 }, {}],
      [{ costPct: 0.6 }, {}],
    ]);
    const result = evaluateTarget({ metric: 'costPct', value: { max: 5 } }, data);
    expect(result).toMatchObject({ value: 0.6, min: 0.4, max: 6, pass: true, target: '≤ 5' });
    expect(evaluateTarget({ metric: 'costPct', value: { max: 0.5 } }, data).pass).toBe(false);
  });

  it('marks a load generator running flat out on a core or taking half the machine', () => {
    expect(loadGeneratorSaturated({ maxCorePct: 95, machinePct: 48 })).toBe(true);
    expect(loadGeneratorSaturated({ maxCorePct: 60, machinePct: 55 })).toBe(true);
    expect(loadGeneratorSaturated({ maxCorePct: 60, machinePct: 30 })).toBe(false);
  });
});
