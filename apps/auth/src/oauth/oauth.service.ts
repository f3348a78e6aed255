import { Injectable } from '@nestjs/common';
import { AccountsService } from '../accounts/accounts.service';
import type { AuthTokens } from '../tokens/auth-tokens';
import { OAuthIdentitiesRepository } from './oauth-identities.repository';
import { oauthEmailMissing, oauthEmailUnverified } from './oauth.errors';
import type { ExternalProfile } from './oauth-providers';

/**
 * Turns an identity a provider vouched for into an auth session: the linked account if
 * there is one; else the account with the same email, linked now — only if the provider
 * verified that email; else a new account (the registration saga, with a generated
 * nickname), linked in the same transaction.
 */
@Injectable()
export class OAuthService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly identities: OAuthIdentitiesRepository,
  ) {}

  async signIn(provider: string, profile: ExternalProfile): Promise<AuthTokens> {
    const linked = await this.identities.find(provider, profile.subject);
    if (linked) return this.accounts.startSession(linked.userId);

    if (!profile.email) throw oauthEmailMissing();
    const link = (userId: string) =>
      this.identities.insert({ provider, subject: profile.subject, userId });

    const existing = await this.accounts.findAccount(profile.email);
    if (existing) {
      if (!profile.emailVerified) throw oauthEmailUnverified();
      return this.accounts.startSession(existing.userId, () => link(existing.userId));
    }
    const hint = profile.name ?? profile.email.split('@')[0];
    return this.accounts.registerExternal(profile.email, hint, link);
  }
}
