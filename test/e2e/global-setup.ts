import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  buildInto,
  groupsOf,
  infraUp,
  REPO_ROOT,
  resetStackData,
  type RunningService,
  startServices,
  waitForConsumerGroups,
} from '../../scripts/stack';
import { startE2eGateway } from './support/gateway';
import { e2eProfile } from './support/stack';

declare global {
  var __E2E_SERVICES__: RunningService[] | undefined;
}

const say = (line: string) => process.stdout.write(`[e2e] ${line}\n`);

/**
 * The e2e stack of this instance, through the orchestrator's `e2e` profile: the
 * infrastructure, a build, fresh databases and topics, the four services one after
 * another, their consumer groups, the gateway.
 */
export default async function globalSetup(): Promise<void> {
  const profile = e2eProfile;
  mkdirSync(profile.logDir, { recursive: true });
  say('infrastructure (PostgreSQL, Kafka, Redis)…');
  await infraUp({ databases: Object.values(profile.databases) });
  if (process.env.E2E_SKIP_BUILD !== '1') {
    say('building the services…');
    buildInto(profile.buildDir);
  }
  say(`resetting the test databases and the ${profile.topicPrefix}* topics…`);
  const { topics } = await resetStackData(profile);
  if (topics.length > 0) say(`deleted ${topics.length} topics of an earlier run`);
  const services: RunningService[] = [];
  globalThis.__E2E_SERVICES__ = services;
  await startServices(profile, undefined, {
    onReady: (running, ms) => {
      services.push(running);
      say(`${running.name} ready in ${ms} ms (logs: ${relative(REPO_ROOT, running.logFile)})`);
    },
  });
  const joining = Date.now();
  await waitForConsumerGroups(groupsOf(profile));
  say(`consumer groups stable in ${Date.now() - joining} ms`);
  // The public origin in front of those services (installs NGINX when it can). It serves
  // the web client this run built (scripts/build.ts bundles it into <buildDir>/web).
  say(await startE2eGateway(join(profile.buildDir, 'web')));
}
