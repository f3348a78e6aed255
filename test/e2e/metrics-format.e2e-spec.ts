/**
 * What each running service exports on /metrics, read the way operators' tools read it:
 * `promtool check metrics` (Prometheus's own lint of names, types, units and help) finds
 * nothing to complain about, and every service reports the Node it runs on as the pinned
 * runtime of package.json (scripts/runtime.mjs), so the e2e stack is what production runs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { authClient, registerUser } from './support/clients';
import { samples } from './support/monitoring';
import { ensurePromtool, promtool } from './support/promtool';
import { stack, type ServiceName } from './support/stack';

const SERVICES: ServiceName[] = ['auth', 'profile', 'friends', 'messenger'];
const ROOT = path.join(__dirname, '..', '..');

const tool = ensurePromtool();
if (tool.unavailable) console.warn(`promtool check metrics skipped: ${tool.unavailable}`);

async function scrape(service: ServiceName): Promise<string> {
  const response = await fetch(`${stack[service].http}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** The Node version the services must run on: the pinned runtime, where one is pinned. */
function expectedNode(): RegExp {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    optionalDependencies: Record<string, string>;
  };
  const pinned = manifest.optionalDependencies[`node-${process.platform}-${process.arch}`];
  return pinned ? new RegExp(`^v${pinned.replaceAll('.', '\\.')}$`) : /^v(2[4-9]|[3-9]\d)\./;
}

describe('/metrics of every service', () => {
  beforeAll(async () => {
    // Traffic first, so labelled families have samples, not only their HELP and TYPE.
    const auth = authClient();
    try {
      await registerUser(auth, 'promlint');
    } finally {
      auth.close();
    }
  });

  (tool.path ? it.each(SERVICES) : it.skip.each(SERVICES))(
    '%s passes promtool check metrics',
    async (service) => {
      const result = promtool(tool.path!, ['check', 'metrics'], await scrape(service));
      expect({ service, ...result }).toEqual({ service, status: 0, output: '' });
    },
  );

  it.each(SERVICES)('%s runs on the pinned Node runtime', async (service) => {
    const [info] = samples(await scrape(service)).filter((s) => s.name === 'nodejs_version_info');
    expect(info?.labels.version).toMatch(expectedNode());
  });
});
