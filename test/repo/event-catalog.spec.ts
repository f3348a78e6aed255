/**
 * The event catalog (and so docs/asyncapi.yaml) names, for each topic, the services that
 * consume it. This reads every app's `@EventPattern(Topics.X)` handlers and fails when the
 * catalog and the code disagree.
 */
import { EventCatalog, Topics } from '@app/contracts';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const APPS = join(__dirname, '..', '..', 'apps');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * Consumers written once in a lib and registered by apps: an app that names one (with
 * `revocations` for the token verification module) consumes its topic.
 */
const SHARED_CONSUMERS: Array<{ marker: RegExp; topic: string }> = [
  {
    marker: /TokenVerificationModule\.forRoot\(\{[^)]*revocations:/s,
    topic: Topics.SessionRevoked,
  },
];

function consumersInCode(): Map<string, Set<string>> {
  const byTopic = new Map<string, Set<string>>();
  for (const app of readdirSync(APPS)) {
    for (const file of sourceFiles(join(APPS, app, 'src'))) {
      const source = readFileSync(file, 'utf8');
      for (const { marker, topic } of SHARED_CONSUMERS) {
        if (!marker.test(source)) continue;
        if (!byTopic.has(topic)) byTopic.set(topic, new Set());
        byTopic.get(topic)!.add(app);
      }
      for (const match of readFileSync(file, 'utf8').matchAll(
        /@EventPattern\(\s*Topics\.(\w+)\s*\)/g,
      )) {
        const topic = Topics[match[1] as keyof typeof Topics];
        if (!byTopic.has(topic)) byTopic.set(topic, new Set());
        byTopic.get(topic)!.add(app);
      }
    }
  }
  return byTopic;
}

describe('event catalog', () => {
  const inCode = consumersInCode();

  it.each(Object.entries(EventCatalog))('lists the real consumers of %s', (topic, entry) => {
    expect([...entry.consumers].sort()).toEqual([...(inCode.get(topic) ?? [])].sort());
  });
});
