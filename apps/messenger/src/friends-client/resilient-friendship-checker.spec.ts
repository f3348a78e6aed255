import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';
import type { MessengerConfig } from '../config/messenger.config';
import type { FriendshipReplica } from './friendship-replica.repository';
import type { GrpcFriendshipChecker } from './grpc-friendship-checker';
import { ResilientFriendshipChecker } from './resilient-friendship-checker';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

const unavailable = () => new DomainError('UNAVAILABLE', ErrorCodes.UNAVAILABLE, 'down');

function setup() {
  const remote = { check: jest.fn() } as unknown as jest.Mocked<GrpcFriendshipChecker>;
  const replica = {
    relation: jest.fn(async () => ({ friends: true, blocked: false })),
  } as unknown as jest.Mocked<FriendshipReplica>;
  const checker = new ResilientFriendshipChecker(remote, replica, {
    friendsBreaker: { resetMs: 60_000 },
  } as MessengerConfig);
  jest.spyOn(checker['logger'], 'warn').mockImplementation(() => undefined);
  return { checker, remote, replica };
}

describe('ResilientFriendshipChecker', () => {
  it('answers from friends while it answers', async () => {
    const { checker, remote, replica } = setup();
    remote.check.mockResolvedValue({ friends: false, blocked: true });

    await expect(checker.check(A, B)).resolves.toEqual({ friends: false, blocked: true });
    expect(replica.relation).not.toHaveBeenCalled();
    checker.onModuleDestroy();
  });

  it('answers from the replica when friends fails', async () => {
    const { checker, remote, replica } = setup();
    remote.check.mockRejectedValue(unavailable());
    replica.relation.mockResolvedValue({ friends: true, blocked: true });

    await expect(checker.check(A, B)).resolves.toEqual({ friends: true, blocked: true });
    expect(replica.relation).toHaveBeenCalledWith(A, B);
    checker.onModuleDestroy();
  });

  it('stops calling friends once the circuit opens', async () => {
    const { checker, remote } = setup();
    remote.check.mockRejectedValue(unavailable());

    for (let i = 0; i < 5; i += 1) await checker.check(A, B);

    // volumeThreshold 3 at 50% errors: the circuit opened after the third failure.
    expect(remote.check).toHaveBeenCalledTimes(3);
    checker.onModuleDestroy();
  });
});
