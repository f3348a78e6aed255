/**
 * The orchestrator's profiles (scripts/stack/profiles.ts) against the services' own config
 * schemas: every environment a profile gives a service parses with that service's schema
 * and names only variables it reads, and the development stack's ports are the schemas'
 * defaults — so a port or a variable is defined in the schemas and nowhere else.
 */
import { authConfigSchema } from '../../apps/auth/src/config/auth.config';
import { friendsConfigSchema } from '../../apps/friends/src/config/friends.config';
import { messengerConfigSchema } from '../../apps/messenger/src/config/messenger.config';
import { profileConfigSchema } from '../../apps/profile/src/config/profile.config';
import { profiles, START_ORDER, type StackProfile } from '../../scripts/stack';

const schemas = {
  auth: authConfigSchema,
  profile: profileConfigSchema,
  friends: friendsConfigSchema,
  messenger: messengerConfigSchema,
} as const;

/** Variables the tracing SDK reads, outside the schemas. */
const PROCESS_VARIABLES = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_BSP_SCHEDULE_DELAY'];

const stacks: StackProfile[] = [
  profiles.up('a-local-token-of-at-least-32-characters-0123'),
  profiles.e2e(0),
  profiles.e2e(3),
  profiles.faults(),
  profiles.bench(0),
  profiles.bench(2),
];

describe.each(stacks.map((p) => [p.name, p] as const))('the %s profile', (_name, profile) => {
  it.each(START_ORDER.map((s) => [s]))('gives %s an environment its schema accepts', (service) => {
    const env = profile.env(service);
    const known = Object.keys(schemas[service].in.shape);
    const unknown = Object.keys(env).filter(
      (name) => !known.includes(name) && !PROCESS_VARIABLES.includes(name),
    );
    expect(unknown).toEqual([]);
    const config = schemas[service].parse(env) as { http: { port: number } };
    expect(config.http.port).toBe(profile.ports[service].http);
  });

  it('keeps its services on ports of their own', () => {
    const ports = START_ORDER.flatMap((s) => [profile.ports[s].http, profile.ports[s].grpc ?? []]);
    expect(new Set(ports.flat()).size).toBe(ports.flat().length);
  });
});

describe('the up profile', () => {
  it.each(START_ORDER.map((s) => [s]))('runs %s on the ports of its schema defaults', (service) => {
    const defaults = schemas[service].in.shape as Record<
      string,
      { parse(value: unknown): unknown }
    >;
    const ports = profiles.up().ports[service];
    expect(defaults.HTTP_PORT.parse(undefined)).toBe(ports.http);
    if (ports.grpc !== undefined) expect(defaults.GRPC_PORT.parse(undefined)).toBe(ports.grpc);
  });
});

describe('test and bench profiles', () => {
  it('are apart from each other: databases, topics, groups', () => {
    const apart = [
      profiles.e2e(0),
      profiles.e2e(1),
      profiles.faults(),
      profiles.bench(0),
      profiles.bench(1),
    ];
    const databases = apart.flatMap((p) => Object.values(p.databases));
    expect(new Set(databases).size).toBe(databases.length);
    expect(new Set(apart.map((p) => p.topicPrefix)).size).toBe(apart.length);
    const groups = apart.flatMap((p) => Object.values(p.groups));
    expect(new Set(groups).size).toBe(groups.length);
    expect(apart.every((p) => p.fresh && p.topicPrefix.endsWith('.'))).toBe(true);
  });
});
