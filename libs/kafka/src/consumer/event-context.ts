import { BaseRpcContext } from '@nestjs/microservices';
import type { EventEnvelope } from '@app/contracts';

type EventContextArgs = [topic: string, partition: number, offset: string, envelope: EventEnvelope];

/** What an `@EventPattern` handler can read with `@Ctx()`, beside the payload. */
export class KafkaEventContext extends BaseRpcContext<EventContextArgs> {
  getTopic(): string {
    return this.args[0];
  }
  getPartition(): number {
    return this.args[1];
  }
  getOffset(): string {
    return this.args[2];
  }
  getEnvelope(): EventEnvelope {
    return this.args[3];
  }
}
