import { Test } from '@nestjs/testing';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ErrorCodes } from '@app/contracts';
import { AccessTokenVerifier, AuthenticatedUser, DomainError } from '@app/platform';
import type { Request } from 'express';
import type { GqlContext } from './gql-context';
import { GqlAuthGuard } from './gql-auth.guard';

const aUser = (): AuthenticatedUser => ({
  userId: 'u-1',
  email: 'a@example.test',
  expiresAt: 2_000_000_000,
});

/** A GraphQL execution context whose operation context is `ctx`. */
const gqlContext = (ctx: GqlContext): ExecutionContextHost => {
  const host = new ExecutionContextHost([undefined, {}, ctx, {}]);
  host.setType('graphql');
  return host;
};
const withAuthorization = (authorization?: string): GqlContext => ({
  req: { headers: authorization ? { authorization } : {} } as Request,
});

describe('GqlAuthGuard', () => {
  let guard: GqlAuthGuard;
  let verifier: jest.Mocked<Pick<AccessTokenVerifier, 'verify'>>;

  beforeEach(async () => {
    verifier = { verify: jest.fn() };
    const moduleRef = await Test.createTestingModule({
      providers: [GqlAuthGuard, { provide: AccessTokenVerifier, useValue: verifier }],
    }).compile();
    guard = moduleRef.get(GqlAuthGuard);
  });

  it('refuses an operation without a bearer token as UNAUTHENTICATED', async () => {
    await expect(guard.canActivate(gqlContext(withAuthorization()))).rejects.toMatchObject({
      kind: 'UNAUTHENTICATED',
      code: ErrorCodes.UNAUTHENTICATED,
    });
    expect(verifier.verify).not.toHaveBeenCalled();
  });

  it('passes on the verifier refusing a bad token', async () => {
    verifier.verify.mockRejectedValue(
      new DomainError('UNAUTHENTICATED', ErrorCodes.UNAUTHENTICATED, 'bad'),
    );
    await expect(
      guard.canActivate(gqlContext(withAuthorization('Bearer garbage'))),
    ).rejects.toBeInstanceOf(DomainError);
  });

  it('puts the verified user on the operation context', async () => {
    const user = aUser();
    verifier.verify.mockResolvedValue(user);
    const ctx = withAuthorization('Bearer good.token.value');
    await expect(guard.canActivate(gqlContext(ctx))).resolves.toBe(true);
    expect(verifier.verify).toHaveBeenCalledWith('good.token.value');
    expect(ctx.user).toBe(user);
  });
});
