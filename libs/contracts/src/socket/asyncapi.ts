import { z } from 'zod';
import { AckExamples, ClientEventExamples, ServerEventExamples } from './examples';
import { AckErrorSchema, ClientEventSchemas, ServerEventSchemas } from './schemas';

const jsonSchema = (schema: z.ZodType): Record<string, unknown> => {
  // `input`: a client's view of a payload (defaults and trims are the server's business).
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' });
  return rest;
};

/** `chat:members:add` → `chatMembersAdd`: ids usable in `$ref`s. */
const idOf = (event: string): string =>
  event.replace(/[:_](\w)/g, (_, c: string) => c.toUpperCase());

/**
 * The AsyncAPI 3 document of messenger's client-facing socket.io API, built from the
 * schemas of libs/contracts: every client event with its payload and its acknowledgement
 * (modelled as the operation's reply), every server push, with examples. Written to
 * `docs/socket-asyncapi.yaml` by `npm run asyncapi`; a spec fails when the file is stale.
 */
export function socketAsyncApiDocument(): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const channelMessages: Record<string, unknown> = {};
  const ackError = jsonSchema(AckErrorSchema);

  for (const [event, entry] of Object.entries(ClientEventSchemas)) {
    const id = idOf(event);
    const ackId = `${id}Ack`;
    const ack = jsonSchema(entry.ack);
    const ackExample = AckExamples[event as keyof typeof AckExamples];
    messages[id] = {
      name: event,
      summary: entry.summary,
      payload: jsonSchema(entry.payload),
      examples: [{ payload: ClientEventExamples[event as keyof typeof ClientEventExamples] }],
    };
    messages[ackId] = {
      name: `${event} (ack)`,
      summary: `The acknowledgement of ${event}: {ok: true, …} or {ok: false, error}.`,
      payload: {
        oneOf: [
          {
            ...ack,
            properties: { ok: { type: 'boolean', const: true }, ...(ack.properties as object) },
            required: ['ok', ...((ack.required as string[] | undefined) ?? [])],
          },
          {
            type: 'object',
            properties: { ok: { type: 'boolean', const: false }, error: ackError },
            required: ['ok', 'error'],
          },
        ],
      },
      ...(ackExample ? { examples: [{ payload: { ok: true, ...ackExample } }] } : {}),
    };
    channelMessages[id] = { $ref: `#/components/messages/${id}` };
    channelMessages[ackId] = { $ref: `#/components/messages/${ackId}` };
    operations[`receive_${id}`] = {
      action: 'receive',
      channel: { $ref: '#/channels/root' },
      summary: entry.summary,
      messages: [{ $ref: `#/channels/root/messages/${id}` }],
      reply: {
        channel: { $ref: '#/channels/root' },
        messages: [{ $ref: `#/channels/root/messages/${ackId}` }],
      },
    };
  }

  for (const [event, entry] of Object.entries(ServerEventSchemas)) {
    const id = `${idOf(event)}Push`;
    messages[id] = {
      name: event,
      summary: entry.summary,
      payload: jsonSchema(entry.payload),
      examples: [{ payload: ServerEventExamples[event as keyof typeof ServerEventExamples] }],
    };
    channelMessages[id] = { $ref: `#/components/messages/${id}` };
    operations[`send_${id}`] = {
      action: 'send',
      channel: { $ref: '#/channels/root' },
      summary: entry.summary,
      messages: [{ $ref: `#/channels/root/messages/${id}` }],
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Messenger socket.io API',
      version: '1.0.0',
      description:
        'The client-facing API of messenger on socket.io (default namespace "/"). The handshake ' +
        'sends `auth: {token}` (an access token). Every client event is answered through its ' +
        'socket.io acknowledgement with `{ok: true, …}` or `{ok: false, error: {code, message}}`; ' +
        'an unknown event sent with an acknowledgement is answered `{ok: false}` too. Generated ' +
        'from libs/contracts by `npm run asyncapi`; do not edit by hand.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:3004',
        protocol: 'ws',
        description: 'messenger of `npm run up` (socket.io, websocket or polling transport)',
      },
    },
    channels: {
      root: {
        address: '/',
        title: 'The default namespace',
        messages: channelMessages,
        bindings: { ws: { method: 'GET' } },
      },
    },
    operations,
    components: { messages },
  };
}
