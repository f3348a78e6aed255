import { Module } from '@nestjs/common';
import { PairStoreRepository } from './pair-store.repository';
import { PairsService } from './pairs.service';

/**
 * The event-sourced aggregate behind requests, friendships and blocks: every change to
 * what two users are to each other goes through {@link PairsService}.
 */
@Module({
  providers: [PairsService, PairStoreRepository],
  exports: [PairsService],
})
export class PairsModule {}
