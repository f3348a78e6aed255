import { Module } from '@nestjs/common';
import { PairsModule } from '../pairs/pairs.module';
import { UsersModule } from '../users/users.module';
import { BlocksController } from './blocks.controller';
import { BlocksRepository } from './blocks.repository';
import { BlocksService } from './blocks.service';

/** Blocking and unblocking users. */
@Module({
  imports: [PairsModule, UsersModule],
  controllers: [BlocksController],
  providers: [BlocksService, BlocksRepository],
  exports: [BlocksRepository],
})
export class BlocksModule {}
