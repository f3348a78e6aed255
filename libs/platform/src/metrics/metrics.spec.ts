import { MetricsService } from './metrics';

describe('MetricsService', () => {
  const metrics = new MetricsService('auth');

  it('gives the `_total` suffix to counters only (promtool check metrics)', async () => {
    const families = await metrics.registry.getMetricsAsJSON();
    const misnamed = families
      .filter((family) => family.name.endsWith('_total') && String(family.type) !== 'counter')
      .map((family) => family.name);
    expect(misnamed).toEqual([]);
  });

  it('keeps the per-type runtime gauges that the removed totals summed', async () => {
    const names = (await metrics.registry.getMetricsAsJSON()).map((family) => family.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'nodejs_active_handles',
        'nodejs_active_requests',
        'nodejs_active_resources',
      ]),
    );
    expect(names).not.toContain('nodejs_active_handles_total');
  });
});
