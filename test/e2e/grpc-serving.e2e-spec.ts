/**
 * Every gRPC server of the stack serves `grpc.health.v1.Health` (what the Kubernetes
 * manifests' gRPC probes call) and server reflection beside its own API. auth's own spec
 * goes deeper (apps/auth/test/grpc-serving.e2e-spec.ts); this one covers profile and
 * friends, whose services are internal.
 */
import * as grpc from '@grpc/grpc-js';
import { healthCheck, reflect } from './support/grpc-serving';
import { stack } from './support/stack';

describe.each([
  { service: 'profile', address: stack.profile.grpc, api: 'profile.v1.ProfileService' },
  { service: 'friends', address: stack.friends.grpc, api: 'friends.v1.FriendsService' },
] as const)('$service gRPC server: health and reflection', ({ address, api }) => {
  it(`answers SERVING for the server and for ${api} while its dependencies are up`, async () => {
    await expect(healthCheck(address, '')).resolves.toEqual({ status: 'SERVING' });
    await expect(healthCheck(address, api)).resolves.toEqual({ status: 'SERVING' });
  });

  it('answers NOT_FOUND for a service it does not serve', async () => {
    await expect(healthCheck(address, 'nope.v1.Nothing')).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
  });

  it('lists its services through server reflection, as grpcurl would', async () => {
    const response = await reflect(address, { listServices: '' });
    const names = response.listServicesResponse?.service.map((s) => s.name) ?? [];
    expect(names).toEqual(expect.arrayContaining([api, 'grpc.health.v1.Health']));
  });
});
