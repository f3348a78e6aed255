/**
 * The tokens a login, a registration or a refresh hands to a client. The transports answer
 * it as they are (`auth.v1.AuthTokens` on gRPC, `AuthTokensDto` on HTTP), so the services
 * need neither.
 */
export interface AuthTokens {
  /** A short-lived JWT to send as `Authorization: Bearer`. */
  accessToken: string;
  /** An opaque token to obtain the next pair with a refresh. */
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  /** The user the tokens were issued to. */
  userId: string;
}
