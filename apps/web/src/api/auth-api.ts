import type { AuthV1 } from '@app/contracts';
import { errorFromResponse } from './errors';

/** auth's HTTP/JSON gateway behind the public origin: `/v1/auth/*` (apps/auth/README.md). */
export type AuthTokens = AuthV1.AuthTokens;

async function post<T>(path: string, body: object): Promise<T> {
  const response = await fetch(`/v1/auth/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await errorFromResponse(response);
  return (await response.json()) as T;
}

export const authApi = {
  register: (input: AuthV1.RegisterRequest) => post<AuthTokens>('register', input),
  login: (input: AuthV1.LoginRequest) => post<AuthTokens>('login', input),
  refresh: (refreshToken: string) => post<AuthTokens>('refresh', { refreshToken }),
  logout: (refreshToken: string) => post<object>('logout', { refreshToken }),
};
