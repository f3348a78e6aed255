import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/platform';
import { OAuthIdentityEntity } from './entities/oauth-identity.entity';

@Injectable()
export class OAuthIdentitiesRepository {
  constructor(private readonly tx: TransactionHost) {}

  find(provider: string, subject: string): Promise<OAuthIdentityEntity | null> {
    return this.tx.manager.findOneBy(OAuthIdentityEntity, { provider, subject });
  }

  async insert(
    identity: Pick<OAuthIdentityEntity, 'provider' | 'subject' | 'userId'>,
  ): Promise<void> {
    await this.tx.manager.insert(OAuthIdentityEntity, identity);
  }
}
