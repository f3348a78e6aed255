import { GrpcPackages, PROTO_LOADER_OPTIONS, PROTO_ROOT } from '@app/contracts';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { drainGrpcServer } from './grpc-drain';

const loaded = grpc.loadPackageDefinition(
  protoLoader.loadSync(join(PROTO_ROOT, GrpcPackages.profile.protoPath), {
    ...PROTO_LOADER_OPTIONS,
    includeDirs: [PROTO_ROOT],
  }),
) as unknown as { profile: { v1: { ProfileService: grpc.ServiceClientConstructor } } };
const { ProfileService } = loaded.profile.v1;

/** A real grpc-js server on loopback whose GetProfiles answers when the test says so. */
async function startServer() {
  const pending: Array<() => void> = [];
  let received = 0;
  const server = new grpc.Server();
  const unanswered = () => undefined;
  server.addService(ProfileService.service, {
    getProfiles: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => {
      received += 1;
      pending.push(() => callback(null, { profiles: [] }));
    },
    reserveNickname: unanswered,
    releaseNickname: unanswered,
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const client = new ProfileService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = () =>
    new Promise<grpc.status>((resolve) => {
      const stub = client as unknown as {
        getProfiles(request: unknown, callback: (error: grpc.ServiceError | null) => void): void;
      };
      stub.getProfiles({ userIds: [] }, (error) => resolve(error?.code ?? grpc.status.OK));
    });
  const until = async (condition: () => boolean) => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  return {
    server,
    client,
    call,
    release: () => pending.splice(0).forEach((answer) => answer()),
    received: (count: number) => until(() => received >= count),
  };
}

describe('drainGrpcServer', () => {
  it('answers the calls in flight, refuses new ones, then resolves false', async () => {
    const { server, client, call, release, received } = await startServer();
    const inFlight = [call(), call()];
    await received(2);

    const drained = drainGrpcServer(server, 5_000);
    // After GOAWAY the client cannot start a call on this server any more.
    expect(await call()).toBe(grpc.status.UNAVAILABLE);
    release();

    expect(await Promise.all(inFlight)).toEqual([grpc.status.OK, grpc.status.OK]);
    await expect(drained).resolves.toBe(false);
    client.close();
  });

  it('cancels what is still running at the deadline and resolves true', async () => {
    const { server, client, call, received } = await startServer();
    const stuck = call();
    await received(1);

    await expect(drainGrpcServer(server, 100)).resolves.toBe(true);
    expect(await stuck).not.toBe(grpc.status.OK);
    client.close();
  });
});
