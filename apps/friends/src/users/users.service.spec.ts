import { Test } from '@nestjs/testing';
import { IdempotencyRepository } from '../idempotency/idempotency.repository';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

const USER = '00000000-0000-4000-8000-00000000000a';

describe('UsersService', () => {
  let service: UsersService;
  let users: jest.Mocked<UsersRepository>;
  let idempotencyKeys: { deleteAllOf: jest.Mock };

  beforeEach(async () => {
    users = {
      insertIfMissing: jest.fn().mockResolvedValue(undefined),
      delete: jest.fn().mockResolvedValue(undefined),
    } as unknown as jest.Mocked<UsersRepository>;
    idempotencyKeys = { deleteAllOf: jest.fn().mockResolvedValue(undefined) };
    const moduleRef = await Test.createTestingModule({
      providers: [
        UsersService,
        { provide: UsersRepository, useValue: users },
        { provide: IdempotencyRepository, useValue: idempotencyKeys },
      ],
    }).compile();
    service = moduleRef.get(UsersService);
  });

  it('adds a registered user to the directory, tolerating one already there', async () => {
    await service.registered(USER);
    expect(users.insertIfMissing).toHaveBeenCalledWith(USER);
  });

  it('erases a deleted user, and the answers kept for their idempotency keys', async () => {
    await service.deleted(USER);
    expect(users.delete).toHaveBeenCalledWith(USER);
    expect(idempotencyKeys.deleteAllOf).toHaveBeenCalledWith(USER);
  });
});
