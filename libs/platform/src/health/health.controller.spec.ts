import { ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { HealthController } from './health.controller';
import { ReadinessChecks } from './readiness-checks';

describe('HealthController', () => {
  let controller: HealthController;
  let readiness: ReadinessChecks;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [ReadinessChecks],
    }).compile();
    controller = moduleRef.get(HealthController);
    readiness = moduleRef.get(ReadinessChecks);
    expect(moduleRef.get(HealthCheckService)).toBeDefined();
  });

  it('is ready when every registered dependency is up', async () => {
    readiness.register('database', () => Promise.resolve({ database: { status: 'up' } }));
    await expect(controller.ready()).resolves.toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' } },
    });
  });

  it('is not ready when a dependency is down, and says which', async () => {
    readiness.register('kafka', () =>
      Promise.resolve({ kafka: { status: 'down', message: 'no answer' } }),
    );
    await expect(controller.ready()).rejects.toMatchObject({
      response: { status: 'error', error: { kafka: { status: 'down' } } },
    });
  });

  it('reports not ready once shutdown starts, while liveness stays up', async () => {
    readiness.startDraining();
    await expect(controller.ready()).rejects.toBeInstanceOf(ServiceUnavailableException);
    await expect(controller.live()).resolves.toMatchObject({ status: 'ok' });
  });
});
