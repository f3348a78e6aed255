import { MessageBody } from '@nestjs/websockets';
import { SocketApi } from '@app/contracts';
import { SchemaValidationPipe } from '@app/platform';

/**
 * The payload of event `E`, checked by the platform's schema pipe against the event's
 * schema in the socket API contract (libs/contracts `SocketApi`), so the server accepts
 * exactly what the published AsyncAPI document says: unknown fields are refused, and a
 * failure is answered as an error ack with `COMMON.VALIDATION_FAILED` naming each field
 * (`@Payload('message:send') input`).
 */
export const Payload = <E extends SocketApi.ClientEventName>(event: E): ParameterDecorator =>
  MessageBody(new SchemaValidationPipe(SocketApi.ClientEventSchemas[event].payload));
