import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { APP_CONFIG, type AuthenticatedUser, TransportExceptionFilter } from '@app/platform';
import request from 'supertest';
import { AccessTokensService } from './access-tokens.service';
import { EdgeAuthenticationController } from './edge-authentication.controller';
import { invalidAccessToken } from './tokens.errors';

const INTERNAL_TOKEN = 'edge-authentication-spec-token-0123456789';
const USER: AuthenticatedUser = { userId: 'user-1', email: 'ada@example.test', expiresAt: 2e9 };

describe('EdgeAuthenticationController (GET /internal/v1/authenticate)', () => {
  let app: INestApplication;
  const verify = jest.fn<Promise<AuthenticatedUser>, [string]>();

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [EdgeAuthenticationController],
      providers: [
        { provide: AccessTokensService, useValue: { verify } },
        { provide: APP_CONFIG, useValue: { internalApiToken: INTERNAL_TOKEN } },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalFilters(new TransportExceptionFilter());
    await app.init();
  });

  afterAll(() => app.close());
  beforeEach(() => verify.mockReset());

  const authenticate = (headers: Record<string, string>) =>
    request(app.getHttpServer()).get('/internal/v1/authenticate').set(headers);

  it('answers 204 with X-User-Id for a valid token', async () => {
    verify.mockResolvedValue(USER);
    const response = await authenticate({
      'x-internal-token': INTERNAL_TOKEN,
      authorization: 'Bearer a.valid.token',
    });
    expect(response.status).toBe(204);
    expect(response.headers['x-user-id']).toBe(USER.userId);
    expect(verify).toHaveBeenCalledWith('a.valid.token');
  });

  it.each([
    ['an invalid token', 'Bearer a.forged.token'],
    ['no token', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
  ])('answers 401 without X-User-Id for %s', async (_case, authorization) => {
    verify.mockRejectedValue(invalidAccessToken());
    const response = await authenticate({
      'x-internal-token': INTERNAL_TOKEN,
      ...(authorization ? { authorization } : {}),
    });
    expect(response.status).toBe(401);
    expect(response.headers['x-user-id']).toBeUndefined();
  });

  it('refuses callers without the service credential, even with a valid token', async () => {
    verify.mockResolvedValue(USER);
    const callers: Array<Record<string, string>> = [
      {},
      { 'x-internal-token': 'not-the-credential' },
    ];
    for (const headers of callers) {
      const response = await authenticate({ ...headers, authorization: 'Bearer a.valid.token' });
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ code: 'COMMON.UNAUTHENTICATED' });
      expect(response.headers['x-user-id']).toBeUndefined();
    }
    expect(verify).not.toHaveBeenCalled();
  });
});
