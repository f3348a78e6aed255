import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventPayload, Topics } from '@app/contracts';
import { SessionRevocations } from './session-revocations';

/**
 * `auth.session.revoked.v1` → the session's tokens are refused by this service (and, through
 * the shared set, by every instance). auth has usually recorded it already; this makes sure
 * a lost announcement never leaves a session alive. Registered by every app that verifies
 * tokens (see {@link TokenVerificationModule}).
 */
@Controller()
export class SessionRevokedConsumer {
  constructor(private readonly revocations: SessionRevocations) {}

  @EventPattern(Topics.SessionRevoked)
  async onRevoked(@Payload() event: EventPayload<typeof Topics.SessionRevoked>): Promise<void> {
    await this.revocations.revoke(event.sessionId);
  }
}
