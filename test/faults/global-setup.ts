import { rmSync } from 'node:fs';
import { buildInto, infraUp } from '../../scripts/stack';
import { FaultBroker } from './support/broker';
import { faultsProfile, LOG_DIR } from './support/layout';
import { killLeftoversSync, stopAll } from './support/processes';

const say = (line: string) => process.stdout.write(`[faults] ${line}\n`);

/**
 * Builds the services into their own folder, formats and starts the suite's own broker.
 * Each spec starts the service processes it needs (and kills some of them), with the
 * orchestrator's `faults` profile. PostgreSQL and the Kafka jars come from the
 * orchestrator's infrastructure step; the shared broker is never used.
 */
export default async function globalSetup(): Promise<void> {
  // Jest's own process: whatever the suite started dies with it, however the run ends.
  process.once('exit', killLeftoversSync);
  await stopAll(); // leftovers of an interrupted run
  rmSync(LOG_DIR, { recursive: true, force: true });
  say('infrastructure (PostgreSQL, Kafka jars)…');
  await infraUp({ databases: Object.values(faultsProfile.databases) });
  if (process.env.FAULTS_SKIP_BUILD !== '1') {
    say('building the services…');
    buildInto(faultsProfile.buildDir);
  }
  const started = Date.now();
  FaultBroker.format();
  await FaultBroker.start();
  say(`own Kafka broker ready in ${Date.now() - started} ms (logs: .infra/faults/logs/)`);
}
