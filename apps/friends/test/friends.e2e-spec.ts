/**
 * friends against the running stack: users registered through auth reach friends'
 * directory by Kafka, then ask, refuse and accept over REST; the friendship shows up in
 * both lists, over gRPC for other services, and as an event on Kafka.
 */
import { FriendsV1, Topics } from '@app/contracts';
import type { Client } from '@grpc/grpc-js';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import {
  authClient,
  AuthGrpcClient,
  eventually,
  grpcClient,
  registerUser,
  TestUser,
  unary,
} from '../../../test/e2e/support/clients';
import { stack, topic } from '../../../test/e2e/support/stack';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const api = () => request(stack.friends.http);
const bearer = (user: TestUser) => ({ Authorization: `Bearer ${user.accessToken}` });

interface AcceptedRecord {
  key: string | undefined;
  payload: { requestId: string; fromUserId: string; toUserId: string; pairVersion: number };
}

describe('friends (REST + gRPC + Kafka)', () => {
  let auth: AuthGrpcClient;
  let grpc: Client;
  let consumer: Consumer;
  const accepted: AcceptedRecord[] = [];
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    auth = authClient();
    grpc = grpcClient('friends', 'FriendsService', stack.friends.grpc);

    // Subscribed (and joined) before anything is accepted, reading only new records.
    consumer = new Kafka({ brokers: BROKERS, logLevel: logLevel.NOTHING }).consumer({
      groupId: `friends-e2e-${randomUUID()}`,
    });
    const joined = new Promise<void>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
    );
    await consumer.connect();
    await consumer.subscribe({ topic: topic(Topics.FriendRequestAccepted), fromBeginning: false });
    await consumer.run({
      eachMessage: ({ message }) => {
        const envelope = JSON.parse(message.value?.toString() ?? '{}') as {
          payload: AcceptedRecord['payload'];
        };
        accepted.push({ key: message.key?.toString(), payload: envelope.payload });
        return Promise.resolve();
      },
    });
    await joined;

    alice = await registerUser(auth, 'alice');
    bob = await registerUser(auth, 'bob');
  });

  afterAll(async () => {
    await consumer?.disconnect();
    grpc?.close();
    auth?.close();
  });

  it('refuses requests without a token', async () => {
    const response = await api().post('/v1/friends/requests').send({ userId: bob.userId });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ statusCode: 401, code: 'COMMON.UNAUTHENTICATED' });

    const list = await api().get('/v1/friends');
    expect(list.status).toBe(401);
  });

  it('refuses a friend request to yourself', async () => {
    const response = await api()
      .post('/v1/friends/requests')
      .set(bearer(alice))
      .send({ userId: alice.userId });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('FRIENDS.SELF_REQUEST');
  });

  it('refuses a malformed body and a bad request id', async () => {
    const body = await api()
      .post('/v1/friends/requests')
      .set(bearer(alice))
      .send({ userId: 'nope' });
    expect(body.status).toBe(400);
    expect(body.body.code).toBe('COMMON.VALIDATION_FAILED');

    const id = await api().post('/v1/friends/requests/not-a-uuid/accept').set(bearer(bob));
    expect(id.status).toBe(400);
    expect(id.body.code).toBe('COMMON.VALIDATION_FAILED');
  });

  it('refuses an unknown user', async () => {
    const response = await api()
      .post('/v1/friends/requests')
      .set(bearer(alice))
      .send({ userId: randomUUID() });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('FRIENDS.USER_NOT_FOUND');
  });

  it('lets users ask, only the addressee accept, and both see the friendship', async () => {
    // Registration reaches friends through Kafka: retry until both users are known.
    const sent = await eventually(async () => {
      const response = await api()
        .post('/v1/friends/requests')
        .set(bearer(alice))
        .send({ userId: bob.userId });
      if (response.status === 404 && response.body.code === 'FRIENDS.USER_NOT_FOUND')
        return undefined;
      return response;
    }, 30_000);
    expect(sent.status).toBe(201);
    expect(sent.body).toEqual({
      id: expect.any(String),
      fromUserId: alice.userId,
      toUserId: bob.userId,
      status: 'pending',
      createdAt: expect.any(String),
    });
    const requestId = sent.body.id as string;

    const again = await api()
      .post('/v1/friends/requests')
      .set(bearer(alice))
      .send({ userId: bob.userId });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('FRIENDS.ALREADY_PENDING');

    const incoming = await api().get('/v1/friends/requests?direction=incoming').set(bearer(bob));
    expect(incoming.status).toBe(200);
    expect(incoming.body.items).toEqual([
      expect.objectContaining({ id: requestId, fromUserId: alice.userId }),
    ]);
    const outgoing = await api().get('/v1/friends/requests?direction=outgoing').set(bearer(alice));
    expect(outgoing.body.items.map((r: { id: string }) => r.id)).toEqual([requestId]);

    const byAlice = await api().post(`/v1/friends/requests/${requestId}/accept`).set(bearer(alice));
    expect(byAlice.status).toBe(403);
    expect(byAlice.body.code).toBe('FRIENDS.NOT_ADDRESSEE');

    const byBob = await api().post(`/v1/friends/requests/${requestId}/accept`).set(bearer(bob));
    expect(byBob.status).toBe(200);
    expect(byBob.body).toMatchObject({ id: requestId, status: 'accepted' });

    const twice = await api().post(`/v1/friends/requests/${requestId}/accept`).set(bearer(bob));
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('FRIENDS.REQUEST_NOT_PENDING');

    const alicesFriends = await api().get('/v1/friends').set(bearer(alice));
    expect(alicesFriends.status).toBe(200);
    expect(alicesFriends.body).toEqual({
      items: [{ userId: bob.userId, since: expect.any(String) }],
      nextCursor: null,
    });
    const bobsFriends = await api().get('/v1/friends').set(bearer(bob));
    expect(bobsFriends.body.items).toEqual([{ userId: alice.userId, since: expect.any(String) }]);

    const noLongerPending = await api()
      .get('/v1/friends/requests?direction=incoming')
      .set(bearer(bob));
    expect(noLongerPending.body.items).toEqual([]);

    const asking = await api()
      .post('/v1/friends/requests')
      .set(bearer(bob))
      .send({ userId: alice.userId });
    expect(asking.status).toBe(409);
    expect(asking.body.code).toBe('FRIENDS.ALREADY_FRIENDS');

    const record = await eventually(() =>
      Promise.resolve(accepted.find((r) => r.payload.requestId === requestId)),
    );
    expect(record.payload).toEqual({
      requestId,
      fromUserId: alice.userId,
      toUserId: bob.userId,
      pairVersion: 2,
    });
    expect(record.key).toBe([alice.userId, bob.userId].sort().join(':'));
  });

  it('answers AreFriends and ListFriendIds over gRPC', async () => {
    const areFriends = unary<FriendsV1.AreFriendsRequest, FriendsV1.AreFriendsResponse>(
      grpc,
      'areFriends',
    );
    const listFriendIds = unary<FriendsV1.ListFriendIdsRequest, FriendsV1.ListFriendIdsResponse>(
      grpc,
      'listFriendIds',
    );

    await expect(areFriends({ userId: alice.userId, otherUserId: bob.userId })).resolves.toEqual({
      friends: true,
      blocked: false,
    });
    await expect(
      areFriends({ userId: bob.userId, otherUserId: alice.userId }),
    ).resolves.toMatchObject({
      friends: true,
    });
    await expect(areFriends({ userId: alice.userId, otherUserId: randomUUID() })).resolves.toEqual({
      friends: false,
      blocked: false,
    });
    await expect(listFriendIds({ userId: alice.userId })).resolves.toEqual({
      friendIds: [bob.userId],
    });
    await expect(
      areFriends({ userId: 'not-a-uuid', otherUserId: bob.userId }),
    ).rejects.toMatchObject({
      code: 3, // INVALID_ARGUMENT
    });
  });

  it('refuses JSON bodies over the size limit with 413', async () => {
    const response = await api()
      .post('/v1/friends/requests')
      .set(bearer(alice))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ userId: bob.userId, padding: 'x'.repeat(32 * 1024) }));
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('COMMON.PAYLOAD_TOO_LARGE');
  });

  it('serves the OpenAPI document the typed client was generated from, and Swagger UI', async () => {
    const response = await api().get('/docs-json');
    expect(response.status).toBe(200);
    // The running service and the committed snapshot (libs/friends-client) agree.
    const snapshot = JSON.parse(
      readFileSync(join(__dirname, '../../../libs/friends-client/openapi.json'), 'utf8'),
    ) as unknown;
    expect(response.body).toEqual(snapshot);

    const ui = await api().get('/docs/');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger-ui');
  });
});
