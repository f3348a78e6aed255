import type { Topic } from '@app/contracts';
import {
  E2E_EVENT_RETENTION,
  E2E_REQUEST_LIMITS,
  profiles,
  type ServiceName as StackServiceName,
  stackUrls,
} from '../../../scripts/stack';

export { E2E_EVENT_RETENTION, E2E_REQUEST_LIMITS };

/**
 * This run's e2e stack: the orchestrator's `e2e` profile (scripts/stack/profiles.ts) of
 * instance `E2E_INSTANCE` (0–9, default 0). Stacks of different instances use their own
 * ports, databases, consumer groups, Kafka topics and build folder, so several suites can
 * run side by side on one machine and broker.
 */
export const e2eProfile = profiles.e2e();

/** Which e2e stack this is (`E2E_INSTANCE`). */
export const E2E_INSTANCE = e2eProfile.instance;

/**
 * This stack's Kafka topic prefix (`KAFKA_TOPIC_PREFIX`, ADR 0034): its services produce
 * and consume `e2e<instance>.<topic>`, so they never replay the events of another stack
 * (another instance, the bench, `npm run up`) on the same broker. The global setup deletes
 * these topics before the services start, so a run sees only its own events.
 */
export const E2E_TOPIC_PREFIX = e2eProfile.topicPrefix;

/**
 * The broker's name of a contract topic in this stack, for specs that produce or consume
 * with their own kafkajs clients: `topic(Topics.UserRegistered)` →
 * `e2e1.auth.user.registered.v1`.
 */
export const topic = (name: Topic): string => `${E2E_TOPIC_PREFIX}${name}`;

/**
 * The contract's name of one of this stack's topics (the inverse of {@link topic}), for
 * recorders that file records by contract topic.
 */
export function logicalTopic(physical: string): Topic {
  if (!physical.startsWith(E2E_TOPIC_PREFIX)) {
    throw new Error(`${physical} is not a topic of e2e stack ${E2E_INSTANCE}`);
  }
  return physical.slice(E2E_TOPIC_PREFIX.length) as Topic;
}

/**
 * Name of a database of this e2e run: a service's (its profile's), or one a spec keeps
 * for itself under the same pattern (`<name>_test[_<n>]`; the name always says "test").
 */
export const testDatabase = (name: string): string =>
  name in e2eProfile.databases
    ? e2eProfile.databases[name as StackServiceName]
    : `${name}_test${E2E_INSTANCE === 0 ? '' : `_${E2E_INSTANCE}`}`;

/**
 * Where the e2e stack listens. The suite runs its own copy of each service on ports
 * apart from the defaults, against `<svc>_test` databases, so it never touches a stack
 * started by `npm run up`.
 */
export const stack = {
  ...stackUrls(e2eProfile),
  /** The OAuth2 authorization server auth's OAuth spec starts on loopback. */
  oauthProvider: { http: `http://127.0.0.1:${e2eProfile.oauthProviderPort}` },
} as const;

export type ServiceName = StackServiceName;

/**
 * The OTLP/HTTP receiver the tracing spec runs in its own process. Every service of the
 * stack exports its spans there; while no spec listens, exports fail and are dropped,
 * which tracing tolerates by design.
 */
export const otlpReceiver = { http: `http://127.0.0.1:${e2eProfile.otlpReceiverPort}` } as const;

/**
 * The service credential of this stack (`INTERNAL_API_TOKEN`, `x-internal-token`): every
 * service gets it, and test clients send it to internal RPCs by default (see `grpcClient`
 * and `authClient`).
 */
export const E2E_INTERNAL_API_TOKEN = e2eProfile.internalApiToken;

/** The environment each service process gets in the e2e run (its profile's). */
export function serviceEnv(service: ServiceName): Record<string, string> {
  return e2eProfile.env(service) as Record<string, string>;
}
