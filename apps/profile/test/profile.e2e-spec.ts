import { ErrorCodes, ProfileV1 } from '@app/contracts';
import { MeDocument, UserByNicknameDocument } from '@app/profile-client';
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import {
  type AuthGrpcClient,
  authClient,
  eventually,
  grpcClient,
  profileClient,
  registerUser,
  type TestUser,
  unary,
} from '../../../test/e2e/support/clients';
import { stack } from '../../../test/e2e/support/stack';
import { failure } from '../../../test/e2e/support/clients';

const profile = profileClient();

describe('profile (GraphQL /graphql and gRPC profile.v1.ProfileService)', () => {
  let auth: AuthGrpcClient;
  let profileGrpc: grpc.Client;
  let user: TestUser;

  beforeAll(async () => {
    auth = authClient();
    profileGrpc = grpcClient('profile', 'ProfileService', stack.profile.grpc);
    user = await registerUser(auth, 'prof');
  });

  afterAll(() => {
    auth.close();
    profileGrpc.close();
  });

  it('creates the profile of a registered user, visible as `me`', async () => {
    const me = await eventually(async () => {
      const response = await profile.execute(MeDocument, { token: user.accessToken });
      return response.data?.me ?? undefined;
    });
    expect(me).toEqual({
      id: user.userId,
      nickname: user.nickname,
      displayName: null,
      bio: null,
      avatarUrl: null,
      email: user.email,
    });
  });

  it('finds a user by nickname in any letter case', async () => {
    const found = await eventually(async () => {
      const response = await profile.execute(UserByNicknameDocument, {
        token: user.accessToken,
        variables: { nickname: user.nickname.toUpperCase() },
      });
      return response.data?.userByNickname ?? undefined;
    });
    expect(found).toMatchObject({ id: user.userId, nickname: user.nickname });
  });

  it('answers null for a nickname nobody has', async () => {
    const response = await profile.execute(UserByNicknameDocument, {
      token: user.accessToken,
      variables: { nickname: `nobody_${randomUUID().slice(0, 8)}` },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?.userByNickname).toBeNull();
  });

  it('refuses an operation without a token as UNAUTHENTICATED', async () => {
    const response = await profile.execute(MeDocument);
    expect(response.data?.me ?? null).toBeNull();
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      errorCode: ErrorCodes.UNAUTHENTICATED,
    });
  });

  it('refuses a garbage token as UNAUTHENTICATED', async () => {
    const response = await profile.execute(MeDocument, { token: 'not.a.jwt' });
    expect(response.data?.me ?? null).toBeNull();
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses to reserve a taken nickname (other letter case) with ALREADY_EXISTS', async () => {
    const reserve = unary<ProfileV1.ReserveNicknameRequest, ProfileV1.ReserveNicknameResponse>(
      profileGrpc,
      'reserveNickname',
    );
    const error = await failure(
      reserve({ userId: randomUUID(), nickname: user.nickname.toUpperCase() }),
    );
    expect(error.code).toBe(grpc.status.ALREADY_EXISTS);
    expect(error.metadata.get('x-error-code')[0]).toBe(ErrorCodes.PROFILE_NICKNAME_TAKEN);
  });

  it('keeps a reservation idempotent for its holder and refuses it to everyone else', async () => {
    const reserve = unary<ProfileV1.ReserveNicknameRequest, ProfileV1.ReserveNicknameResponse>(
      profileGrpc,
      'reserveNickname',
    );
    const holder = randomUUID();
    const nickname = `held_${randomUUID().slice(0, 8)}`;
    await expect(reserve({ userId: holder, nickname })).resolves.toEqual({ reserved: true });
    await expect(reserve({ userId: holder, nickname })).resolves.toEqual({ reserved: true });
    const error = await failure(
      reserve({ userId: randomUUID(), nickname: nickname.toUpperCase() }),
    );
    expect(error.code).toBe(grpc.status.ALREADY_EXISTS);
  });

  it('refuses a malformed nickname with INVALID_ARGUMENT', async () => {
    const reserve = unary<ProfileV1.ReserveNicknameRequest, ProfileV1.ReserveNicknameResponse>(
      profileGrpc,
      'reserveNickname',
    );
    const error = await failure(reserve({ userId: randomUUID(), nickname: 'no spaces allowed' }));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('returns known profiles from GetProfiles and leaves unknown ids out', async () => {
    const getProfiles = unary<ProfileV1.GetProfilesRequest, ProfileV1.GetProfilesResponse>(
      profileGrpc,
      'getProfiles',
    );
    const response = await eventually(async () => {
      const found = await getProfiles({ ids: [user.userId, randomUUID()] });
      return found.profiles.length > 0 ? found : undefined;
    });
    expect(response.profiles).toEqual([
      { id: user.userId, nickname: user.nickname, displayName: '', avatarUrl: '' },
    ]);
  });
});
