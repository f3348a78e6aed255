/**
 * Declining, unfriending, withdrawing and blocking against the running stack, and the
 * event-sourced pair behind them: every change is an event in the store with the next
 * version, the projections agree with it, each change is published on Kafka, and an
 * accept racing an unfriend cannot both win.
 */
import { FriendsV1, Topics } from '@app/contracts';
import type { Client as GrpcClient } from '@grpc/grpc-js';
import { Pool } from 'pg';
import {
  authClient,
  AuthGrpcClient,
  grpcClient,
  TestUser,
  unary,
} from '../../../test/e2e/support/clients';
import { stack } from '../../../test/e2e/support/stack';
import { PairEvent, replay } from '../src/pairs/pair.events';
import {
  befriend,
  friendsAs,
  friendsDb,
  pairKeyOf,
  registerKnownUser,
  sendRequest,
  storedPair,
  TopicRecorder,
} from './support';

describe('friends: decline, unfriend, block (event-sourced pairs)', () => {
  let auth: AuthGrpcClient;
  let grpc: GrpcClient;
  let db: Pool;
  let recorder: TopicRecorder;
  let areFriends: (r: FriendsV1.AreFriendsRequest) => Promise<FriendsV1.AreFriendsResponse>;
  const user = (prefix: string) => registerKnownUser(auth, db, prefix);

  beforeAll(async () => {
    auth = authClient();
    grpc = grpcClient('friends', 'FriendsService', stack.friends.grpc);
    areFriends = unary(grpc, 'areFriends');
    db = await friendsDb();
    recorder = await TopicRecorder.start([
      Topics.FriendRequestSent,
      Topics.FriendRequestAccepted,
      Topics.FriendRequestDeclined,
      Topics.FriendRequestCancelled,
      Topics.FriendshipRemoved,
      Topics.UserBlocked,
      Topics.UserUnblocked,
    ]);
  });

  afterAll(async () => {
    await recorder?.stop();
    await db?.end();
    grpc?.close();
    auth?.close();
  });

  it('lets only the addressee decline; the sender may ask again', async () => {
    const [ann, ben] = [await user('ann'), await user('ben')];
    const requestId = await sendRequest(ann, ben);
    const decline = (who: TestUser) =>
      friendsAs(who).POST('/v1/friends/requests/{id}/decline', {
        params: { path: { id: requestId } },
      });

    const bySender = await decline(ann);
    expect(bySender.response.status).toBe(403);
    expect(bySender.error?.code).toBe('FRIENDS.NOT_ADDRESSEE');

    const declined = await decline(ben);
    expect(declined.response.status).toBe(200);
    expect(declined.data).toMatchObject({ id: requestId, status: 'declined' });

    const acceptLater = await friendsAs(ben).POST('/v1/friends/requests/{id}/accept', {
      params: { path: { id: requestId } },
    });
    expect(acceptLater.response.status).toBe(409);
    expect(acceptLater.error?.code).toBe('FRIENDS.REQUEST_NOT_PENDING');

    const incoming = await friendsAs(ben).GET('/v1/friends/requests', {
      params: { query: { direction: 'incoming' } },
    });
    expect(incoming.data?.items).toEqual([]);

    const again = await sendRequest(ann, ben);
    expect(again).not.toBe(requestId);

    // Kafka keeps one key's order within a topic, not across topics: compare as sets.
    const records = await recorder.waitForPair(ann.userId, ben.userId, 3);
    expect(records.map((r) => r.topic).sort()).toEqual(
      [Topics.FriendRequestSent, Topics.FriendRequestDeclined, Topics.FriendRequestSent].sort(),
    );
    expect(records.find((r) => r.topic === Topics.FriendRequestDeclined)?.payload).toEqual({
      requestId,
      fromUserId: ann.userId,
      toUserId: ben.userId,
      pairVersion: 2,
    });

    const { events, snapshot } = await storedPair(db, ann.userId, ben.userId);
    expect(events.map((e) => [e.version, e.type])).toEqual([
      [1, 'requested'],
      [2, 'declined'],
      [3, 'requested'],
    ]);
    expect(snapshot).toEqual({
      version: 3,
      state: {
        friends: false,
        blockedBy: [],
        pending: { requestId: again, fromUserId: ann.userId, toUserId: ben.userId },
      },
    });
  });

  it('unfriends with 204 (either side), announces it, and then says not friends', async () => {
    const [cat, dan] = [await user('cat'), await user('dan')];
    await befriend(cat, dan);
    const unfriend = () =>
      friendsAs(dan).DELETE('/v1/friends/{userId}', { params: { path: { userId: cat.userId } } });

    const removed = await unfriend();
    expect(removed.response.status).toBe(204);
    expect(removed.data).toBeUndefined();

    for (const who of [cat, dan]) {
      expect((await friendsAs(who).GET('/v1/friends')).data).toEqual({
        items: [],
        nextCursor: null,
      });
    }
    await expect(areFriends({ userId: cat.userId, otherUserId: dan.userId })).resolves.toEqual({
      friends: false,
      blocked: false,
    });

    const twice = await unfriend();
    expect(twice.response.status).toBe(404);
    expect(twice.error?.code).toBe('FRIENDS.NOT_FRIENDS');

    const records = await recorder.waitForPair(cat.userId, dan.userId, 3);
    expect(records.find((r) => r.topic === Topics.FriendshipRemoved)).toMatchObject({
      key: pairKeyOf(cat.userId, dan.userId),
      payload: { userId: dan.userId, otherUserId: cat.userId, pairVersion: 3 },
    });
  });

  it("withdraws the caller's pending request on unfriend", async () => {
    const [eve, fay] = [await user('eve'), await user('fay')];
    const requestId = await sendRequest(eve, fay);

    const byAddressee = await friendsAs(fay).DELETE('/v1/friends/{userId}', {
      params: { path: { userId: eve.userId } },
    });
    expect(byAddressee.response.status).toBe(404);

    const withdrawn = await friendsAs(eve).DELETE('/v1/friends/{userId}', {
      params: { path: { userId: fay.userId } },
    });
    expect(withdrawn.response.status).toBe(204);
    const incoming = await friendsAs(fay).GET('/v1/friends/requests', {
      params: { query: { direction: 'incoming' } },
    });
    expect(incoming.data?.items).toEqual([]);

    const records = await recorder.waitForPair(eve.userId, fay.userId, 2);
    expect(records.find((r) => r.topic === Topics.FriendRequestCancelled)).toMatchObject({
      payload: { requestId, fromUserId: eve.userId, toUserId: fay.userId, pairVersion: 2 },
    });
  });

  it('blocks: unfriends, refuses requests both ways, lists, reports over gRPC, unblocks', async () => {
    const [gus, hal] = [await user('gus'), await user('hal')];
    await befriend(gus, hal);
    const block = (who: TestUser, userId: string) =>
      friendsAs(who).POST('/v1/blocks', { body: { userId } });
    const unblock = (who: TestUser, userId: string) =>
      friendsAs(who).DELETE('/v1/blocks/{userId}', { params: { path: { userId } } });

    const self = await block(gus, gus.userId);
    expect(self.response.status).toBe(400);
    expect(self.error?.code).toBe('FRIENDS.SELF_BLOCK');

    const blocked = await block(gus, hal.userId);
    expect(blocked.response.status).toBe(201);
    expect(blocked.data).toEqual({ userId: hal.userId, since: expect.any(String) });

    const twice = await block(gus, hal.userId);
    expect(twice.response.status).toBe(409);
    expect(twice.error?.code).toBe('FRIENDS.ALREADY_BLOCKED');

    expect((await friendsAs(hal).GET('/v1/friends')).data?.items).toEqual([]);
    await expect(areFriends({ userId: hal.userId, otherUserId: gus.userId })).resolves.toEqual({
      friends: false,
      blocked: true,
    });

    for (const [from, to] of [
      [hal, gus],
      [gus, hal],
    ] as [TestUser, TestUser][]) {
      const asking = await friendsAs(from).POST('/v1/friends/requests', {
        body: { userId: to.userId },
      });
      expect(asking.response.status).toBe(403);
      expect(asking.error?.code).toBe('FRIENDS.BLOCKED');
    }

    const list = await friendsAs(gus).GET('/v1/blocks');
    expect(list.response.status).toBe(200);
    expect(list.data).toEqual({ items: [blocked.data], nextCursor: null });
    expect((await friendsAs(hal).GET('/v1/blocks')).data?.items).toEqual([]);

    const notTheirs = await unblock(hal, gus.userId);
    expect(notTheirs.response.status).toBe(404);
    expect(notTheirs.error?.code).toBe('FRIENDS.NOT_BLOCKED');

    expect((await unblock(gus, hal.userId)).response.status).toBe(204);
    await expect(areFriends({ userId: gus.userId, otherUserId: hal.userId })).resolves.toEqual({
      friends: false,
      blocked: false,
    });
    await sendRequest(hal, gus);

    const records = await recorder.waitForPair(gus.userId, hal.userId, 6);
    expect(records.map((r) => r.topic).sort()).toEqual(
      [
        Topics.FriendRequestSent,
        Topics.FriendRequestAccepted,
        Topics.FriendshipRemoved,
        Topics.UserBlocked,
        Topics.UserUnblocked,
        Topics.FriendRequestSent,
      ].sort(),
    );
    expect(records.find((r) => r.topic === Topics.UserBlocked)?.payload).toEqual({
      userId: gus.userId,
      blockedUserId: hal.userId,
      pairVersion: 4,
    });
    // Every public event carries the version its stored event took, across all topics.
    expect(records.map((r) => r.payload.pairVersion).sort()).toEqual([1, 2, 3, 4, 5, 6]);

    const { events, snapshot } = await storedPair(db, gus.userId, hal.userId);
    expect(events.map((e) => e.type)).toEqual([
      'requested',
      'accepted',
      'removed',
      'blocked',
      'unblocked',
      'requested',
    ]);
    expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(snapshot?.version).toBe(6);
  });

  it('cancels a pending request when either side blocks', async () => {
    const [ivy, jon] = [await user('ivy'), await user('jon')];
    const requestId = await sendRequest(ivy, jon);

    const blocked = await friendsAs(jon).POST('/v1/blocks', { body: { userId: ivy.userId } });
    expect(blocked.response.status).toBe(201);
    const outgoing = await friendsAs(ivy).GET('/v1/friends/requests', {
      params: { query: { direction: 'outgoing' } },
    });
    expect(outgoing.data?.items).toEqual([]);
    const accept = await friendsAs(jon).POST('/v1/friends/requests/{id}/accept', {
      params: { path: { id: requestId } },
    });
    expect(accept.response.status).toBe(409);
    expect(accept.error?.code).toBe('FRIENDS.REQUEST_NOT_PENDING');
  });

  it('refuses blocking an unknown user and a malformed id', async () => {
    const kim = await user('kim');
    const unknown = await friendsAs(kim).POST('/v1/blocks', {
      body: { userId: '6a4f0b8e-4c1d-4c2e-9f0a-7b9e1d2c3a4b' },
    });
    expect(unknown.response.status).toBe(404);
    expect(unknown.error?.code).toBe('FRIENDS.USER_NOT_FOUND');
    const malformed = await friendsAs(kim).DELETE('/v1/blocks/{userId}', {
      params: { path: { userId: 'nope' } },
    });
    expect(malformed.response.status).toBe(400);
    expect(malformed.error?.code).toBe('COMMON.VALIDATION_FAILED');
  });

  it('lets an accept racing an unfriend never both win on the same state', async () => {
    // Several pairs at once, so some of the races really overlap inside the service.
    const pairs = await Promise.all(
      Array.from({ length: 8 }, async (_, n) => {
        const [sender, addressee] = [await user(`rs${n}`), await user(`ra${n}`)];
        return { sender, addressee, requestId: await sendRequest(sender, addressee) };
      }),
    );

    const outcomes = await Promise.all(
      pairs.map(async ({ sender, addressee, requestId }) => {
        const [accept, unfriend] = await Promise.all([
          friendsAs(addressee).POST('/v1/friends/requests/{id}/accept', {
            params: { path: { id: requestId } },
          }),
          friendsAs(sender).DELETE('/v1/friends/{userId}', {
            params: { path: { userId: addressee.userId } },
          }),
        ]);
        return { sender, addressee, accept, unfriend };
      }),
    );

    for (const { sender, addressee, accept, unfriend } of outcomes) {
      const { events, snapshot } = await storedPair(db, sender.userId, addressee.userId);
      const types = events.map((e) => e.type);
      // No lost update: versions are contiguous and the snapshot is at the last one.
      expect(events.map((e) => e.version)).toEqual(types.map((_, i) => i + 1));
      expect(snapshot?.version).toBe(events.length);
      // The stored state is exactly the replay of the stored history.
      expect(snapshot?.state).toEqual(
        replay(events.map((e) => ({ ...e.data, type: e.type }) as PairEvent)),
      );

      const friendsNow = (
        await db.query('SELECT 1 FROM friendships WHERE user_id = $1 AND friend_id = $2', [
          sender.userId,
          addressee.userId,
        ])
      ).rowCount;

      if (accept.response.status === 200 && unfriend.response.status === 204) {
        // Both succeeded only because they ran one after the other: accept, then unfriend.
        expect(types).toEqual(['requested', 'accepted', 'removed']);
        expect(friendsNow).toBe(0);
      } else if (accept.response.status === 200) {
        expect(unfriend.response.status).toBe(409);
        expect(unfriend.error?.code).toBe('FRIENDS.CONCURRENT_UPDATE');
        expect(types).toEqual(['requested', 'accepted']);
        expect(friendsNow).toBe(1);
      } else {
        expect(unfriend.response.status).toBe(204);
        expect(accept.response.status).toBe(409);
        expect(['FRIENDS.CONCURRENT_UPDATE', 'FRIENDS.REQUEST_NOT_PENDING']).toContain(
          accept.error?.code,
        );
        expect(types).toEqual(['requested', 'cancelled']);
        expect(friendsNow).toBe(0);
      }
      // Never both on the same state: a withdrawn request was not also accepted.
      expect(types.includes('accepted') && types.includes('cancelled')).toBe(false);
    }
  });
});
