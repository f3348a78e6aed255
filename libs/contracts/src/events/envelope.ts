import { z } from 'zod';

/**
 * Every Kafka record's value: a self-describing envelope around the payload.
 * `id` is what consumers store to make redelivery harmless.
 */
export const EventEnvelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  producer: z.string().min(1),
  payload: z.unknown(),
});

export interface EventEnvelope<TPayload = unknown> {
  id: string;
  /** The topic name, e.g. `auth.user.registered.v1`. */
  type: string;
  version: number;
  /** ISO-8601 timestamp of the state change. */
  occurredAt: string;
  /** The service that produced the event, e.g. `auth`. */
  producer: string;
  payload: TPayload;
}
