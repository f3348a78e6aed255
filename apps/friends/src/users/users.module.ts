import { Module } from '@nestjs/common';
import { UserEventsConsumer } from './user-events.consumer';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** The directory of known users, fed by auth's events. */
@Module({
  controllers: [UserEventsConsumer],
  providers: [UsersService, UsersRepository],
  exports: [UsersRepository],
})
export class UsersModule {}
