import type { ClientGrpc } from '@nestjs/microservices';
import { ErrorCodes, FriendsV1 } from '@app/contracts';
import { DomainError } from '@app/platform';
import { NEVER, of, throwError } from 'rxjs';
import type { MessengerConfig } from '../config/messenger.config';
import { GrpcFriendshipChecker } from './grpc-friendship-checker';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

function checker(areFriends: jest.Mock, deadlineMs = 50) {
  const client = {
    getService: () => ({ areFriends }) as unknown as FriendsV1.FriendsServiceClient,
  } as unknown as ClientGrpc;
  const instance = new GrpcFriendshipChecker(client, {
    grpcDeadlineMs: deadlineMs,
  } as MessengerConfig);
  jest.spyOn(instance['logger'], 'warn').mockImplementation(() => undefined);
  instance.onModuleInit();
  return instance;
}

describe('GrpcFriendshipChecker', () => {
  it('asks AreFriends with a deadline and returns its answer', async () => {
    const areFriends = jest.fn(() => of({ friends: true, blocked: false }));

    await expect(checker(areFriends).check(A, B)).resolves.toEqual({
      friends: true,
      blocked: false,
    });

    const [request, , options] = areFriends.mock.calls[0] as unknown as [
      FriendsV1.AreFriendsRequest,
      unknown,
      { deadline: number },
    ];
    expect(request).toEqual({ userId: A, otherUserId: B });
    expect(options.deadline).toBeGreaterThan(Date.now() - 1000);
  });

  it('gives up at the deadline with COMMON.UNAVAILABLE', async () => {
    const started = Date.now();
    const error = await checker(
      jest.fn(() => NEVER),
      50,
    )
      .check(A, B)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCodes.UNAVAILABLE);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reports a failed call as COMMON.UNAVAILABLE', async () => {
    const failing = jest.fn(() =>
      throwError(() => Object.assign(new Error('14 UNAVAILABLE'), { code: 14 })),
    );

    await expect(checker(failing).check(A, B)).rejects.toMatchObject({
      code: ErrorCodes.UNAVAILABLE,
    });
  });
});
