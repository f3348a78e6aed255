import { Module } from '@nestjs/common';
import { Timeline } from './timeline';
import { TimelineRepository } from './timeline.repository';

/** The per-chat sequence of changes every chat and message write appends to. */
@Module({
  providers: [Timeline, TimelineRepository],
  exports: [Timeline, TimelineRepository],
})
export class TimelineModule {}
