// `npm run down`: stops the gateway and the services `npm run up` started, then the
// infrastructure it started (a PostgreSQL, Redis or Kafka that was already running is left
// alone, and so is the distribution's own nginx service).
import {
  START_ORDER,
  createLogger,
  infraDown,
  profiles,
  runCli,
  stopDetached,
  stopStackGateway,
} from './stack';

const log = createLogger('down');

runCli(async () => {
  const profile = profiles.up();
  // The door first, so nothing new arrives while the services drain.
  log.info(`gateway   ${await stopStackGateway(profile)}`);
  for (const service of [...START_ORDER].reverse()) {
    log.info(`${service.padEnd(9)} ${await stopDetached(profile, service)}`);
  }
  await infraDown();
});
