import { Test } from '@nestjs/testing';
import { ErrorCodes } from '@app/contracts';
import { AccountsService } from '../accounts/accounts.service';
import { OAuthIdentitiesRepository } from './oauth-identities.repository';
import type { ExternalProfile } from './oauth-providers';
import { OAuthService } from './oauth.service';

const TOKENS = { accessToken: 'a', refreshToken: 'r', expiresIn: 900, userId: 'u-1' };
const profile = (overrides: Partial<ExternalProfile> = {}): ExternalProfile => ({
  subject: 'gh-42',
  email: 'Ada@Example.test',
  emailVerified: true,
  name: 'ada',
  ...overrides,
});

async function setup() {
  const accounts: jest.Mocked<
    Pick<AccountsService, 'startSession' | 'findAccount' | 'registerExternal'>
  > = {
    startSession: jest.fn().mockResolvedValue(TOKENS),
    findAccount: jest.fn().mockResolvedValue(null),
    registerExternal: jest.fn().mockResolvedValue(TOKENS),
  };
  const identities: jest.Mocked<Pick<OAuthIdentitiesRepository, 'find' | 'insert'>> = {
    find: jest.fn().mockResolvedValue(null),
    insert: jest.fn().mockResolvedValue(undefined),
  };
  const moduleRef = await Test.createTestingModule({
    providers: [
      OAuthService,
      { provide: AccountsService, useValue: accounts },
      { provide: OAuthIdentitiesRepository, useValue: identities },
    ],
  }).compile();
  return { service: moduleRef.get(OAuthService), accounts, identities };
}

describe('OAuthService', () => {
  it('signs in the account already linked to the identity', async () => {
    const { service, accounts, identities } = await setup();
    identities.find.mockResolvedValue({
      provider: 'gh',
      subject: 'gh-42',
      userId: 'u-7',
      createdAt: new Date(),
    });

    await service.signIn('gh', profile());

    expect(identities.find).toHaveBeenCalledWith('gh', 'gh-42');
    expect(accounts.startSession).toHaveBeenCalledWith('u-7');
    expect(accounts.registerExternal).not.toHaveBeenCalled();
  });

  it('links the account with the same verified email, within the session transaction', async () => {
    const { service, accounts, identities } = await setup();
    accounts.findAccount.mockResolvedValue({ userId: 'u-9', email: 'ada@example.test' });

    await service.signIn('gh', profile());

    const [userId, beforeIssue] = accounts.startSession.mock.calls[0];
    expect(userId).toBe('u-9');
    await beforeIssue?.();
    expect(identities.insert).toHaveBeenCalledWith({
      provider: 'gh',
      subject: 'gh-42',
      userId: 'u-9',
    });
  });

  it('never links an existing account to an unverified email', async () => {
    const { service, accounts, identities } = await setup();
    accounts.findAccount.mockResolvedValue({ userId: 'u-9', email: 'ada@example.test' });

    await expect(service.signIn('gh', profile({ emailVerified: false }))).rejects.toMatchObject({
      code: ErrorCodes.AUTH_EMAIL_TAKEN,
    });
    expect(accounts.startSession).not.toHaveBeenCalled();
    expect(identities.insert).not.toHaveBeenCalled();
  });

  it('registers a new account named after the profile, linking it in the saga', async () => {
    const { service, accounts, identities } = await setup();

    await service.signIn('gh', profile({ name: undefined }));

    const [email, hint, link] = accounts.registerExternal.mock.calls[0];
    expect([email, hint]).toEqual(['Ada@Example.test', 'Ada']);
    await link('u-new');
    expect(identities.insert).toHaveBeenCalledWith({
      provider: 'gh',
      subject: 'gh-42',
      userId: 'u-new',
    });
  });

  it('refuses an identity without email', async () => {
    const { service } = await setup();
    await expect(service.signIn('gh', profile({ email: undefined }))).rejects.toMatchObject({
      kind: 'UNAUTHENTICATED',
    });
  });
});
