import { ConfigValidationError, loadConfig } from '@app/platform';
import { authConfigSchema } from './auth.config';

const provider = {
  name: 'github',
  authorizationUrl: 'https://github.com/login/oauth/authorize',
  tokenUrl: 'https://github.com/login/oauth/access_token',
  userInfoUrl: 'https://api.github.com/user',
  clientId: 'id',
  clientSecret: 'secret',
  scopes: ['read:user'],
  redirectUri: 'https://auth.example.com/v1/auth/oauth/github/callback',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(authConfigSchema, env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  return [];
}

describe('auth config', () => {
  it('defaults to OWASP argon2id, no OAuth providers and no internal token', () => {
    const config = loadConfig(authConfigSchema, {});
    expect(config.passwords).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(config.oauth.providers).toEqual([]);
    expect(config.internalApiToken).toBeUndefined();
    expect(config.trustProxy).toBe(false);
  });

  it('reads OAuth providers from a JSON array', () => {
    const config = loadConfig(authConfigSchema, { OAUTH_PROVIDERS: JSON.stringify([provider]) });
    expect(config.oauth.providers).toEqual([provider]);
  });

  it.each([
    ['argon2 memory under the OWASP minimum', { ARGON2_MEMORY_KIB: '8192' }, 'ARGON2_MEMORY_KIB'],
    ['a single argon2 pass', { ARGON2_TIME_COST: '1' }, 'ARGON2_TIME_COST'],
    ['a short internal token', { INTERNAL_API_TOKEN: 'too-short' }, 'INTERNAL_API_TOKEN'],
    ['OAuth providers that are not JSON', { OAUTH_PROVIDERS: '{nope' }, 'OAUTH_PROVIDERS'],
    [
      'a registration sweep sooner than the gRPC deadline',
      { REGISTRATION_SWEEP_AFTER: '2', GRPC_DEADLINE_MS: '3000' },
      'REGISTRATION_SWEEP_AFTER',
    ],
    [
      'an OAuth provider without a redirect URI',
      { OAUTH_PROVIDERS: JSON.stringify([{ ...provider, redirectUri: undefined }]) },
      'OAUTH_PROVIDERS',
    ],
  ])('refuses %s at boot', (_case, env, variable) => {
    expect(problems(env).join('\n')).toContain(variable);
  });
});
