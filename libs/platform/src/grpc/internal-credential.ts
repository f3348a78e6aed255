import { Metadata } from '@grpc/grpc-js';
import { createHash, timingSafeEqual } from 'node:crypto';

/** Metadata key (gRPC) and header (HTTP) carrying the service credential of internal calls. */
export const INTERNAL_TOKEN_KEY = 'x-internal-token';

/** What a caller without the credential is told, over gRPC and HTTP alike. */
export const INTERNAL_CALLERS_ONLY = 'This method is for internal callers; send their credentials';

/**
 * The service credential of internal calls: `INTERNAL_API_TOKEN`, a secret the platform's
 * services share (docs/adr/0015-internal-grpc-service-credentials.md). Servers check what a
 * caller presents with {@link accepts}; clients add it to their calls with {@link attachTo}.
 *
 * Without a configured secret nothing is accepted, so a forgotten variable closes the
 * internal API instead of opening it. The secret sits in private fields, which neither
 * `JSON.stringify` nor `util.inspect` (hence no logger) prints.
 */
export class InternalCredential {
  readonly #token?: string;
  readonly #digest?: Buffer;

  constructor(token: string | undefined) {
    if (token) {
      this.#token = token;
      this.#digest = digest(token);
    }
  }

  /** Whether a secret is configured; without one, {@link accepts} is always false. */
  get configured(): boolean {
    return this.#digest !== undefined;
  }

  /**
   * True only when `presented` is the configured secret. SHA-256 digests are compared, so
   * the comparison takes the same time whatever the length or content of the guess.
   */
  accepts(presented: unknown): boolean {
    if (!this.#digest || typeof presented !== 'string' || presented === '') return false;
    return timingSafeEqual(digest(presented), this.#digest);
  }

  /** Adds the secret to an outgoing call's metadata, unless the caller set one itself. */
  attachTo(metadata: Metadata): void {
    if (this.#token && metadata.get(INTERNAL_TOKEN_KEY).length === 0) {
      metadata.set(INTERNAL_TOKEN_KEY, this.#token);
    }
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
