import { Injectable } from '@nestjs/common';
import { AccountLifecycle } from '@app/contracts';
import { VersionGate } from '@app/kafka';
import { assertUuid, TransactionHost } from '@app/platform';
import { ProfilesService } from './profiles.service';

/**
 * Erases a deleted account when auth asks right after deleting it (`EraseUser`), before
 * `auth.user.deleted.v1` arrives: the nickname is then free for the next registration at
 * once. The account's lifecycle is advanced to "deleted" in the same transaction, so a
 * registration event still on its way is skipped, as after the event itself; the event,
 * when it comes, erases again and finds nothing.
 */
@Injectable()
export class UserErasureService {
  constructor(
    private readonly profiles: ProfilesService,
    private readonly versions: VersionGate,
    private readonly tx: TransactionHost,
  ) {}

  async eraseDeleted(userIdInput: string): Promise<void> {
    const userId = assertUuid('userId', userIdInput);
    await this.tx.run(async () => {
      await this.versions.advance(AccountLifecycle.stream(userId), AccountLifecycle.deleted);
      await this.profiles.deleteAccount(userId);
    });
  }
}
