/**
 * A service of the repo as the fault suite runs it: the built `main.js` as its own
 * process, configured only through its documented environment variables (the
 * orchestrator's `faults` profile and the spec's options), against the suite's broker and
 * a `<svc>_faults` database.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recreateDatabases } from '../../../scripts/infra';
import { processEnv, servicePaths } from '../../../scripts/stack';
import { databaseUrl, faultsProfile, LOG_DIR } from './layout';
import { exited, startProcess, stopProcess } from './processes';

export interface ServiceOptions {
  /** Which app: `apps/<app>`. */
  app: 'friends' | 'profile';
  /** Process name (logs: `.infra/faults/logs/<name>.log`); instances of one app differ here. */
  name: string;
  http: number;
  grpc: number;
  /** `host:port` list the service bootstraps Kafka from (direct, or through the proxy). */
  brokers: string;
  groupId: string;
  jwksUrl: string;
  database: string;
}

/** Drops and re-creates `name` (always a `_faults` database) so a spec starts from nothing. */
export async function resetDatabase(name: string): Promise<void> {
  if (!name.endsWith('_faults')) throw new Error(`refusing to reset ${name}`);
  await recreateDatabases([name]);
}

export class ServiceProcess {
  private child?: ChildProcess;

  constructor(readonly options: ServiceOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.http}`;
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && !this.child.signalCode;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process and resolves once `/health/ready` answers 200. */
  async start(timeoutMs = 60_000): Promise<void> {
    const { app, name, http, grpc, brokers, groupId, jwksUrl, database } = this.options;
    const child = startProcess(name, process.execPath, [servicePaths(faultsProfile, app).entry], {
      env: processEnv(faultsProfile, app, {
        HTTP_PORT: String(http),
        GRPC_PORT: String(grpc),
        KAFKA_BROKERS: brokers,
        KAFKA_GROUP_ID: groupId,
        DATABASE_URL: databaseUrl(database),
        AUTH_JWKS_URL: jwksUrl,
      }),
    });
    this.child = child;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.running) {
      try {
        if ((await fetch(`${this.url}/health/ready`)).ok) {
          return;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const tail = readFileSync(join(LOG_DIR, `${name}.log`), 'utf8')
      .split('\n')
      .slice(-30);
    throw new Error(`${name} did not become ready:\n${tail.join('\n')}`);
  }

  /** kill -9: no shutdown hook runs, nothing is flushed or committed. */
  async kill(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGKILL');
    await exited(this.child);
  }

  /** An orderly stop (SIGTERM). */
  async stop(): Promise<void> {
    if (this.child) await stopProcess(this.child);
  }

  /** The value of metric `name` whose labels include `labels` (0 when absent). */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    const line = text
      .split('\n')
      .find(
        (l) =>
          (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) &&
          Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
      );
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  }
}
