import { Module } from '@nestjs/common';
import { Timeline } from './timeline';
import { TimelineFlushRepository } from './timeline-flush.repository';
import { TimelineWriter } from './timeline-writer';
import { TimelineRepository } from './timeline.repository';

/**
 * The per-chat sequence of changes every chat and message write appends to: membership
 * changes one transaction at a time ({@link Timeline}), messages, edits, deletes and
 * reactions by group commit ({@link TimelineWriter}).
 */
@Module({
  providers: [Timeline, TimelineRepository, TimelineWriter, TimelineFlushRepository],
  exports: [Timeline, TimelineRepository, TimelineWriter],
})
export class TimelineModule {}
