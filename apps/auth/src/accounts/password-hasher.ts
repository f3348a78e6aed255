import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import type { AuthConfig } from '../config/auth.config';

/** argon2id cost parameters: memory in KiB, passes, lanes. */
export interface Argon2Parameters {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP's minimum for argon2id; the config schema refuses anything weaker. */
export const OWASP_ARGON2_MINIMUM: Argon2Parameters = {
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};

/** `$argon2id$v=19$m=19456,t=2,p=1$salt$hash` → its algorithm and parameters. */
const PHC_PATTERN = /^\$(argon2(?:id|i|d))\$v=\d+\$m=(\d+),t=(\d+),p=(\d+)\$/;

/**
 * Password hashing behind an injectable adapter, so rules can be tested without argon2's
 * cost. Parameters come from config (at or above {@link OWASP_ARGON2_MINIMUM}); hashes made
 * with weaker ones are upgraded at the next successful login ({@link needsRehash}).
 */
@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;
  private readonly parameters: Argon2Parameters;

  constructor(@Inject(APP_CONFIG) config: AuthConfig) {
    this.parameters = config.passwords;
  }

  hash(password: string): Promise<string> {
    return hash(password, { algorithm: Algorithm.Argon2id, ...this.parameters });
  }

  /** False for a wrong password or a malformed hash; never throws for either. */
  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }

  /** True when `passwordHash` is not argon2id or any of its parameters is below today's. */
  needsRehash(passwordHash: string): boolean {
    const match = PHC_PATTERN.exec(passwordHash);
    if (!match) return true;
    const [, algorithm, memory, time, lanes] = match;
    return (
      algorithm !== 'argon2id' ||
      Number(memory) < this.parameters.memoryCost ||
      Number(time) < this.parameters.timeCost ||
      Number(lanes) < this.parameters.parallelism
    );
  }

  /**
   * Spends the same time as a real {@link verify} for an email that has no account, so
   * response times do not reveal which emails are registered.
   */
  async verifyDummy(password: string): Promise<void> {
    this.dummyHash ??= this.hash(randomBytes(16).toString('base64url'));
    await this.verify(await this.dummyHash, password);
  }
}
