import { Test } from '@nestjs/testing';
import { decodeKeyset } from '@app/platform';
import { BlocksRepository } from '../blocks/blocks.repository';
import { PairsService } from '../pairs/pairs.service';
import { FriendshipEntity } from './entities/friendship.entity';
import { FriendshipsRepository } from './friendships.repository';
import { FriendshipsService } from './friendships.service';

const ME = '00000000-0000-4000-8000-00000000000a';
const friendId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function aFriendship(n: number): FriendshipEntity {
  return Object.assign(new FriendshipEntity(), {
    userId: ME,
    friendId: friendId(n),
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, n)),
  });
}

describe('FriendshipsService', () => {
  let service: FriendshipsService;
  let friendships: jest.Mocked<FriendshipsRepository>;
  let blocks: jest.Mocked<BlocksRepository>;

  beforeEach(async () => {
    friendships = {
      exists: jest.fn().mockResolvedValue(false),
      listPage: jest.fn().mockResolvedValue([]),
      listFriendIds: jest.fn().mockResolvedValue([]),
    } as unknown as jest.Mocked<FriendshipsRepository>;
    blocks = {
      existsEither: jest.fn().mockResolvedValue(false),
    } as unknown as jest.Mocked<BlocksRepository>;
    const moduleRef = await Test.createTestingModule({
      providers: [
        FriendshipsService,
        { provide: FriendshipsRepository, useValue: friendships },
        { provide: BlocksRepository, useValue: blocks },
        { provide: PairsService, useValue: { change: jest.fn() } },
      ],
    }).compile();
    service = moduleRef.get(FriendshipsService);
  });

  it('lists friends as {userId, since} with a cursor at the last one shown', async () => {
    friendships.listPage.mockResolvedValue([aFriendship(3), aFriendship(2), aFriendship(1)]);

    const page = await service.listFriends(ME, { limit: 2 });

    expect(page.items).toEqual([
      { userId: friendId(3), since: aFriendship(3).createdAt },
      { userId: friendId(2), since: aFriendship(2).createdAt },
    ]);
    expect(decodeKeyset(page.nextCursor!)).toEqual({
      createdAt: aFriendship(2).createdAt,
      id: friendId(2),
    });
  });

  it('passes the decoded cursor on to the repository', async () => {
    const first = await (async () => {
      friendships.listPage.mockResolvedValueOnce([aFriendship(2), aFriendship(1)]);
      return service.listFriends(ME, { limit: 1 });
    })();

    await service.listFriends(ME, { limit: 1, cursor: first.nextCursor! });

    expect(friendships.listPage).toHaveBeenLastCalledWith(ME, {
      limit: 1,
      after: { createdAt: aFriendship(2).createdAt, id: friendId(2) },
    });
  });

  it('reports friends, and whether either blocks the other', async () => {
    friendships.exists.mockResolvedValue(true);
    await expect(service.relation(ME, friendId(1))).resolves.toEqual({
      friends: true,
      blocked: false,
    });
    friendships.exists.mockResolvedValue(false);
    blocks.existsEither.mockResolvedValue(true);
    await expect(service.relation(ME, friendId(1))).resolves.toEqual({
      friends: false,
      blocked: true,
    });
    expect(blocks.existsEither).toHaveBeenCalledWith(ME, friendId(1));
  });

  it('says nobody is their own friend without asking the database', async () => {
    await expect(service.relation(ME, ME)).resolves.toEqual({ friends: false, blocked: false });
    expect(friendships.exists).not.toHaveBeenCalled();
  });
});
