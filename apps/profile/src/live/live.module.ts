import { Module } from '@nestjs/common';
import { ProfileUpdates, RedisProfileUpdates } from './profile-updates';

/** Live profile updates across instances (Redis pub/sub) for GraphQL subscriptions. */
@Module({
  providers: [{ provide: ProfileUpdates, useClass: RedisProfileUpdates }],
  exports: [ProfileUpdates],
})
export class LiveModule {}
