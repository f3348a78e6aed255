import { z } from 'zod';
import { EventEnvelopeSchema } from './envelope';
import { EventCatalog, producerOf } from './catalog';
import { ALL_TOPICS, deadLetterTopic, EventPayloadSchemas, Topic } from './topics';

/** `auth.user.registered.v1` → `authUserRegisteredV1`: ids usable in `$ref`s. */
const idOf = (topic: string): string =>
  topic
    .replace(/\.(\w)/g, (_, c: string) => c.toUpperCase())
    .replace(/^\w/, (c) => c.toLowerCase());

const jsonSchema = (schema: z.ZodType): Record<string, unknown> => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-7' });
  return rest;
};

/**
 * The AsyncAPI 3 document of the event bus, built from the contracts: every topic with its
 * envelope and payload schema, its producer and the consumer groups that read it. Written
 * to `docs/asyncapi.yaml` by `npm run asyncapi`; a spec fails when the file is stale.
 */
export function asyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const envelope = jsonSchema(EventEnvelopeSchema.omit({ payload: true }));

  for (const topic of ALL_TOPICS as Topic[]) {
    const id = idOf(topic);
    const entry = EventCatalog[topic];
    messages[id] = {
      name: topic,
      summary: entry.summary,
      contentType: 'application/json',
      headers: {
        type: 'object',
        properties: {
          'event-id': { type: 'string', format: 'uuid', description: 'The envelope id' },
          'event-type': { type: 'string', const: topic },
        },
      },
      payload: {
        ...envelope,
        properties: {
          ...(envelope.properties as object),
          type: { type: 'string', const: topic },
          payload: jsonSchema(EventPayloadSchemas[topic]),
        },
        required: [...(envelope.required as string[]), 'payload'],
      },
      bindings: { kafka: { key: { type: 'string', description: entry.key } } },
    };
    channels[id] = {
      address: topic,
      description: `${entry.summary} Failed records go to \`${deadLetterTopic(topic)}\`.`,
      messages: { [id]: { $ref: `#/components/messages/${id}` } },
    };
    const channel = { $ref: `#/channels/${id}` };
    const message = [{ $ref: `#/channels/${id}/messages/${id}` }];
    operations[`${producerOf(topic)}Sends_${id}`] = {
      action: 'send',
      channel,
      messages: message,
      summary: `${producerOf(topic)} publishes through its transactional outbox`,
    };
    for (const group of entry.consumers) {
      operations[`${group}Receives_${id}`] = {
        action: 'receive',
        channel,
        messages: message,
        summary: `${group} consumes idempotently in consumer group "${group}"`,
        bindings: { kafka: { groupId: { type: 'string', enum: [group] } } },
      };
    }
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Messenger platform events',
      version: '1.0.0',
      description:
        'Every record is a JSON envelope {id, type, version, occurredAt, producer, payload}, ' +
        'keyed by the aggregate id so records of one aggregate keep their order. Generated from ' +
        'libs/contracts by `npm run asyncapi`; do not edit by hand.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'The broker of npm run up' },
    },
    channels,
    operations,
    components: { messages },
  };
}
