import { Test } from '@nestjs/testing';
import { ErrorCodes, Topics } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import {
  DomainError,
  FakeTransactionHost,
  TransactionHost,
  type VerifiedAccessToken,
} from '@app/platform';
import { AccountsRepository } from '../accounts/accounts.repository';
import { CredentialEntity } from '../accounts/entities/credential.entity';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { AccountAdministrationService } from './account-administration.service';
import { AccountAuditRepository } from './account-audit.repository';

const ADMIN_ID = '1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b';
const TARGET_ID = '5d1e2c1a-7f0e-4b8e-9a55-0c1f1c0b6a11';
const ADMIN: VerifiedAccessToken = {
  userId: ADMIN_ID,
  email: 'admin@example.test',
  expiresAt: 2e9,
  sessionId: '0b0c7b1e-8d2f-4e77-a0a6-3f7c1d2e4b55',
  roles: ['user', 'admin'],
};

const account = (userId: string, overrides: Partial<CredentialEntity> = {}) =>
  Object.assign(new CredentialEntity(), {
    userId,
    email: `${userId}@example.test`,
    roles: ['user'],
    suspendedAt: null,
    ...overrides,
  });

async function setup() {
  const accounts = {
    findById: jest.fn().mockResolvedValue(account(ADMIN_ID, { roles: ['user', 'admin'] })),
    findForUpdate: jest.fn().mockResolvedValue(account(TARGET_ID)),
    setSuspension: jest.fn().mockResolvedValue(undefined),
  };
  const audit = { record: jest.fn().mockResolvedValue(undefined) };
  const sessions = { endAllSessions: jest.fn().mockResolvedValue(2) };
  const events = { publish: jest.fn().mockResolvedValue(undefined) };
  const tx = new FakeTransactionHost();
  const moduleRef = await Test.createTestingModule({
    providers: [
      AccountAdministrationService,
      { provide: AccountsRepository, useValue: accounts },
      { provide: AccountAuditRepository, useValue: audit },
      { provide: RefreshTokensService, useValue: sessions },
      { provide: EventPublisher, useValue: events },
      { provide: TransactionHost, useValue: tx },
    ],
  }).compile();
  moduleRef.useLogger(false);
  return {
    service: moduleRef.get(AccountAdministrationService),
    accounts,
    audit,
    sessions,
    events,
  };
}

async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  const error: unknown = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('AccountAdministrationService', () => {
  it('suspends: the flag, every session ended, an audit entry and the event', async () => {
    const { service, accounts, audit, sessions, events } = await setup();

    await service.suspend(ADMIN, TARGET_ID, 'spam');

    expect(accounts.setSuspension).toHaveBeenCalledWith(TARGET_ID, expect.any(Date), 'spam');
    expect(sessions.endAllSessions).toHaveBeenCalledWith(TARGET_ID, 'account_suspended');
    expect(audit.record).toHaveBeenCalledWith({
      action: 'account_suspended',
      targetUserId: TARGET_ID,
      actorType: 'admin',
      actorId: ADMIN_ID,
      details: { reason: 'spam' },
    });
    expect(events.publish).toHaveBeenCalledWith(
      Topics.AccountSuspended,
      { userId: TARGET_ID, reason: 'spam', actorId: ADMIN_ID },
      { key: TARGET_ID },
    );
  });

  it('reinstates a suspended account, audited and published', async () => {
    const { service, accounts, audit, events } = await setup();
    accounts.findForUpdate.mockResolvedValue(account(TARGET_ID, { suspendedAt: new Date() }));

    await service.reinstate(ADMIN, TARGET_ID);

    expect(accounts.setSuspension).toHaveBeenCalledWith(TARGET_ID, null, null);
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'account_reinstated', actorId: ADMIN_ID }),
    );
    expect(events.publish).toHaveBeenCalledWith(
      Topics.AccountReinstated,
      { userId: TARGET_ID, actorId: ADMIN_ID },
      { key: TARGET_ID },
    );
  });

  it('changes and records nothing when the account is already in the state asked for', async () => {
    const { service, accounts, audit, events } = await setup();
    accounts.findForUpdate.mockResolvedValueOnce(account(TARGET_ID, { suspendedAt: new Date() }));
    await service.suspend(ADMIN, TARGET_ID, 'again');
    await service.reinstate(ADMIN, TARGET_ID);

    expect(accounts.setSuspension).not.toHaveBeenCalled();
    expect(audit.record).not.toHaveBeenCalled();
    expect(events.publish).not.toHaveBeenCalled();
  });

  it.each([
    ['a token without the admin role', { ...ADMIN, roles: ['user'] }, ['user', 'admin']],
    ['an admin token of an account that lost the role', ADMIN, ['user']],
  ])(
    'refuses %s with PERMISSION_DENIED before looking at the target',
    async (_case, caller, roles) => {
      const { service, accounts } = await setup();
      accounts.findById.mockResolvedValue(account(ADMIN_ID, { roles: roles as never }));

      for (const action of [
        service.suspend(caller, TARGET_ID, 'spam'),
        service.reinstate(caller, TARGET_ID),
      ]) {
        const error = await domainError(action);
        expect(error).toMatchObject({ kind: 'PERMISSION_DENIED', code: ErrorCodes.FORBIDDEN });
      }
      expect(accounts.findForUpdate).not.toHaveBeenCalled();
    },
  );

  it('answers NOT_FOUND for an unknown account, and refuses to suspend oneself', async () => {
    const { service, accounts } = await setup();
    accounts.findForUpdate.mockResolvedValue(null);

    const unknown = await domainError(service.suspend(ADMIN, TARGET_ID, 'spam'));
    expect(unknown).toMatchObject({ kind: 'NOT_FOUND', code: ErrorCodes.AUTH_ACCOUNT_NOT_FOUND });

    const self = await domainError(service.suspend(ADMIN, ADMIN_ID, 'oops'));
    expect(self.kind).toBe('INVALID_ARGUMENT');
  });
});
