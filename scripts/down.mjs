// `npm run down`: stops the gateway and the services `npm run up` started, then the
// infrastructure it started (a PostgreSQL, Redis or Kafka that was already running is left
// alone, and so is the distribution's own nginx service).
import { stopGateway } from './infra/gateway.mjs';
import { infraDown } from './infra/index.mjs';
import { createLogger, runCli, stopByPidfile } from './infra/lib.mjs';
import { SERVICES, servicePaths } from './services.mjs';

const log = createLogger('down');

runCli(async () => {
  // The door first, so nothing new arrives while the services drain.
  log.info(`gateway   ${await stopGateway('local')}`);
  for (const service of [...SERVICES].reverse()) {
    const { entry, pidFile } = servicePaths(service.name);
    const outcome = await stopByPidfile(pidFile, { match: entry, graceMs: 15_000 });
    log.info(`${service.name.padEnd(9)} ${outcome}`);
  }
  await infraDown();
});
