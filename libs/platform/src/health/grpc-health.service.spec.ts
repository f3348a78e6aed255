import { Logger } from '@nestjs/common';
import { ReadinessChecks } from './readiness-checks';
import { GrpcHealthService } from './grpc-health.service';

type CheckHandler = (
  call: { request: { service: string } },
  callback: (error: { code: number } | null, response?: { status: string }) => void,
) => void;

/** Captures the handlers the service registers, as a grpc-js server would. */
function serve(health: GrpcHealthService): { check(service: string): Promise<string> } {
  let handlers: Record<string, CheckHandler> = {};
  health.addToServer({
    addService: (_definition, implementation) => {
      handlers = implementation as unknown as Record<string, CheckHandler>;
    },
  });
  return {
    check: (service) =>
      new Promise((resolve, reject) =>
        handlers.check({ request: { service } }, (error, response) =>
          error ? reject(new Error(`code ${error.code}`)) : resolve(response?.status ?? ''),
        ),
      ),
  };
}

describe('GrpcHealthService', () => {
  beforeAll(() => Logger.overrideLogger(false));

  let database: 'up' | 'down';
  let readiness: ReadinessChecks;
  let health: GrpcHealthService;

  beforeEach(() => {
    database = 'up';
    readiness = new ReadinessChecks();
    readiness.register('database', () => Promise.resolve({ database: { status: database } }));
    health = new GrpcHealthService(readiness);
    health.track(['auth.v1.AuthService']);
  });

  afterEach(() => health.onApplicationShutdown());

  it('answers SERVING when every readiness check is up', async () => {
    const server = serve(health);
    await expect(server.check('')).resolves.toBe('SERVING');
    await expect(server.check('auth.v1.AuthService')).resolves.toBe('SERVING');
  });

  it('answers NOT_SERVING when a dependency is down, and SERVING again once it is back', async () => {
    const server = serve(health);
    database = 'down';
    await expect(server.check('')).resolves.toBe('NOT_SERVING');
    database = 'up';
    await health.refresh(true);
    await expect(server.check('auth.v1.AuthService')).resolves.toBe('SERVING');
  });

  it('counts a check that throws as down', async () => {
    readiness.register('kafka', () => Promise.reject(new Error('no broker')));
    await expect(serve(health).check('')).resolves.toBe('NOT_SERVING');
  });

  it('answers NOT_SERVING once the service drains, whatever the checks say', async () => {
    const server = serve(health);
    readiness.startDraining();
    await health.refresh(true);
    await expect(server.check('')).resolves.toBe('NOT_SERVING');
  });
});
