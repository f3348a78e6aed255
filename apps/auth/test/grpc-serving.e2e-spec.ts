import * as grpc from '@grpc/grpc-js';
import { authClient } from '../../../test/e2e/support/clients';
import {
  healthCheck as healthCheckAt,
  reflect as reflectAt,
} from '../../../test/e2e/support/grpc-serving';
import { stack } from '../../../test/e2e/support/stack';
import { failure, fieldViolations, newUser } from './helpers';

const reflect = (request: Record<string, unknown>) => reflectAt(stack.auth.grpc, request);
const healthCheck = (service: string) => healthCheckAt(stack.auth.grpc, service);

describe('auth gRPC server: reflection and health', () => {
  it('lists its services through server reflection, as grpcurl would', async () => {
    const response = await reflect({ listServices: '' });
    const names = response.listServicesResponse?.service.map((s) => s.name) ?? [];
    expect(names).toEqual(expect.arrayContaining(['auth.v1.AuthService', 'grpc.health.v1.Health']));
  });

  it('describes auth.v1.AuthService without proto files', async () => {
    const response = await reflect({ fileContainingSymbol: 'auth.v1.AuthService' });
    const files = response.fileDescriptorResponse?.fileDescriptorProto ?? [];
    expect(files.length).toBeGreaterThan(0);
    const text = Buffer.concat(files).toString('latin1');
    expect(text).toContain('ValidateToken');
    expect(text).toContain('auth.v1.AuthTokens');
  });

  it('answers SERVING for the server and for auth.v1.AuthService while its dependencies are up', async () => {
    const ready = await fetch(`${stack.auth.http}/health/ready`);
    expect(ready.status).toBe(200);
    await expect(healthCheck('')).resolves.toEqual({ status: 'SERVING' });
    await expect(healthCheck('auth.v1.AuthService')).resolves.toEqual({ status: 'SERVING' });
  });

  it('answers NOT_FOUND for a service it does not serve', async () => {
    await expect(healthCheck('nope.v1.Nothing')).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
  });

  it('answers INVALID_ARGUMENT with a google.rpc.BadRequest field violation per bad field', async () => {
    const auth = authClient();
    try {
      const error = await failure(
        auth.register({ ...newUser(), email: 'not-an-email', nickname: 'a b' }),
      );
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      const violations = fieldViolations(error);
      expect(violations.map((v) => v.field).sort()).toEqual(['email', 'nickname']);
      expect(violations.find((v) => v.field === 'email')?.description).toBe(
        'email must be a valid email address',
      );
    } finally {
      auth.close();
    }
  });
});
