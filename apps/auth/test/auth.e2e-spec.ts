import { ErrorCodes, EventEnvelope, EventPayload, Topics } from '@app/contracts';
import * as grpc from '@grpc/grpc-js';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import {
  type AuthGrpcClient,
  authClient,
  eventually,
  registerUser,
} from '../../../test/e2e/support/clients';
import { stack, topic } from '../../../test/e2e/support/stack';
import { failure, newUser } from './helpers';

const errorCode = (error: grpc.ServiceError): unknown => error.metadata?.get('x-error-code')[0];

describe('auth (gRPC auth.v1.AuthService)', () => {
  let auth: AuthGrpcClient;
  let refresh: AuthGrpcClient['refresh'];
  let logout: AuthGrpcClient['logout'];

  beforeAll(() => {
    auth = authClient();
    ({ refresh, logout } = auth);
  });

  afterAll(() => auth.close());

  describe('Register', () => {
    it('returns a token pair whose access token verifies against the published JWKS', async () => {
      const user = newUser();
      const tokens = await auth.register(user);

      expect(tokens.userId).toMatch(/^[0-9a-f-]{36}$/);
      expect(tokens.refreshToken).toMatch(/^[\w-]{43}$/);
      expect(tokens.expiresIn).toBe(900);
      const header = decodeProtectedHeader(tokens.accessToken);
      expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
      expect(header.kid).toEqual(expect.any(String));

      const response = await fetch(`${stack.auth.http}/.well-known/jwks.json`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=300');
      const jwks = (await response.json()) as JSONWebKeySet;
      expect(jwks.keys).toContainEqual(
        expect.objectContaining({ kid: header.kid, alg: 'ES256', use: 'sig', kty: 'EC' }),
      );
      for (const key of jwks.keys) expect(key).not.toHaveProperty('d');

      const { payload } = await jwtVerify(tokens.accessToken, createLocalJWKSet(jwks), {
        issuer: 'messenger-auth',
        audience: 'messenger',
        algorithms: ['ES256'],
        typ: 'at+jwt',
      });
      expect(payload).toMatchObject({ sub: tokens.userId, email: user.email });
      expect(payload.jti).toEqual(expect.any(String));
    });

    it('stores the email lower-cased and refuses it again in any case with ALREADY_EXISTS', async () => {
      const user = newUser('Case');
      const tokens = await auth.register({ ...user, email: user.email.toUpperCase() });
      const validated = await auth.validateToken({ accessToken: tokens.accessToken });
      expect(validated.email).toBe(user.email.toLowerCase());

      const error = await failure(auth.register({ ...newUser(), email: user.email }));
      expect(error.code).toBe(grpc.status.ALREADY_EXISTS);
      expect(errorCode(error)).toBe(ErrorCodes.AUTH_EMAIL_TAKEN);
    });

    it('refuses a nickname taken case-insensitively with ALREADY_EXISTS', async () => {
      const first = await registerUser(auth, 'nick');
      const error = await failure(
        auth.register({ ...newUser(), nickname: first.nickname.toUpperCase() }),
      );
      expect(error.code).toBe(grpc.status.ALREADY_EXISTS);
      expect(errorCode(error)).toBe(ErrorCodes.AUTH_NICKNAME_TAKEN);
    });

    it('does not hold the nickname of a registration refused for its email', async () => {
      const existing = await registerUser(auth, 'held');
      const attempt = newUser('held');
      const refused = await failure(auth.register({ ...attempt, email: existing.email }));
      expect(refused.code).toBe(grpc.status.ALREADY_EXISTS);

      const tokens = await auth.register(attempt);
      expect(tokens.userId).toEqual(expect.any(String));
    });

    it.each([
      ['a malformed email', { email: 'not-an-email' }, 'email'],
      ['a password under 8 characters', { password: 'short' }, 'password'],
      ['a password over 128 characters', { password: 'x'.repeat(129) }, 'password'],
      ['a nickname with a space', { nickname: 'bad nick' }, 'nickname'],
      ['a nickname under 3 characters', { nickname: 'ab' }, 'nickname'],
    ])('answers INVALID_ARGUMENT for %s', async (_case, override, field) => {
      const error = await failure(auth.register({ ...newUser(), ...override }));
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(errorCode(error)).toBe(ErrorCodes.VALIDATION_FAILED);
      expect(error.details).toContain(field);
    });

    it('publishes auth.user.registered.v1 keyed by the user id', async () => {
      const kafka = new Kafka({
        clientId: 'auth-e2e',
        brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
        logLevel: logLevel.NOTHING,
      });
      const consumer: Consumer = kafka.consumer({ groupId: `auth-e2e-${randomUUID()}` });
      const seen = new Map<string, { key: string; envelope: EventEnvelope }>();
      try {
        await consumer.connect();
        // From the beginning and filtered by user id: a new group's "latest" offset is only
        // fixed once it joins, which may be after the record was written.
        await consumer.subscribe({ topic: topic(Topics.UserRegistered), fromBeginning: true });
        await consumer.run({
          eachMessage: ({ message }) => {
            // The topic is shared with other suites, which may write poison records on
            // purpose: skip what is not an envelope instead of stalling the partition.
            try {
              const envelope = JSON.parse(message.value?.toString() ?? '') as EventEnvelope<
                Partial<EventPayload<typeof Topics.UserRegistered>>
              >;
              const userId = envelope.payload?.userId;
              if (userId) seen.set(userId, { key: message.key?.toString() ?? '', envelope });
            } catch {
              // not JSON
            }
            return Promise.resolve();
          },
        });

        const user = await registerUser(auth, 'event');
        const record = await eventually(() => Promise.resolve(seen.get(user.userId)), 30_000);
        expect(record.key).toBe(user.userId);
        expect(record.envelope).toMatchObject({
          type: Topics.UserRegistered,
          version: 1,
          producer: 'auth',
          payload: { userId: user.userId, email: user.email, nickname: user.nickname },
        });
      } finally {
        await consumer.disconnect();
      }
    });
  });

  describe('Login', () => {
    it('returns tokens for the right password, whatever the case of the email', async () => {
      const user = await registerUser(auth, 'login');
      const tokens = await auth.login({ email: user.email.toUpperCase(), password: user.password });
      expect(tokens.userId).toBe(user.userId);
      expect(tokens.accessToken).not.toBe(user.accessToken);
    });

    it('answers UNAUTHENTICATED alike for a wrong password and an unknown email', async () => {
      const user = await registerUser(auth, 'login');
      const wrongPassword = await failure(
        auth.login({ email: user.email, password: 'wrong-password' }),
      );
      const unknownEmail = await failure(
        auth.login({ email: `nobody-${randomUUID()}@example.test`, password: user.password }),
      );
      for (const error of [wrongPassword, unknownEmail]) {
        expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
        expect(errorCode(error)).toBe(ErrorCodes.AUTH_INVALID_CREDENTIALS);
      }
      expect(wrongPassword.details).toBe(unknownEmail.details);
    });
  });

  describe('ValidateToken', () => {
    it('says whom a valid access token identifies', async () => {
      const user = await registerUser(auth, 'validate');
      const before = Math.floor(Date.now() / 1000);
      const result = await auth.validateToken({ accessToken: user.accessToken });
      expect(result).toMatchObject({ userId: user.userId, email: user.email });
      expect(result.expiresAt).toBeGreaterThanOrEqual(before + 890);
      expect(result.expiresAt).toBeLessThanOrEqual(before + 910);
    });

    it.each([
      ['garbage', 'not.a.jwt'],
      ['an empty token', ''],
      ['a tampered token', 'TAMPER'],
    ])('answers UNAUTHENTICATED for %s', async (_case, token) => {
      const user = await registerUser(auth, 'validate');
      const accessToken = token === 'TAMPER' ? `${user.accessToken.slice(0, -4)}AAAA` : token;
      const error = await failure(auth.validateToken({ accessToken }));
      expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
    });
  });

  describe('Refresh and Logout', () => {
    it('rotates the refresh token, and reuse of the old one revokes the whole family', async () => {
      const user = newUser('refresh');
      const first = await auth.register(user);

      const second = await refresh({ refreshToken: first.refreshToken });
      expect(second.userId).toBe(first.userId);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      await expect(auth.validateToken({ accessToken: second.accessToken })).resolves.toMatchObject({
        userId: first.userId,
      });

      const reuse = await failure(refresh({ refreshToken: first.refreshToken }));
      expect(reuse.code).toBe(grpc.status.UNAUTHENTICATED);
      // The family is gone: even the newest token no longer works.
      const afterReuse = await failure(refresh({ refreshToken: second.refreshToken }));
      expect(afterReuse.code).toBe(grpc.status.UNAUTHENTICATED);

      // Other sessions of the same user are other families and keep working.
      const other = await auth.login(user);
      await expect(refresh({ refreshToken: other.refreshToken })).resolves.toMatchObject({
        userId: first.userId,
      });
    });

    it('answers UNAUTHENTICATED for an unknown refresh token', async () => {
      const error = await failure(refresh({ refreshToken: 'a'.repeat(43) }));
      expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
    });

    it('logout revokes the session, and succeeds for unknown tokens', async () => {
      const user = newUser('logout');
      const tokens = await auth.register(user);
      await expect(logout({ refreshToken: tokens.refreshToken })).resolves.toEqual({});
      const error = await failure(refresh({ refreshToken: tokens.refreshToken }));
      expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
      await expect(logout({ refreshToken: 'unknown' })).resolves.toEqual({});
    });
  });
});
