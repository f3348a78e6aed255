import type { PipeTransform } from '@nestjs/common';
import { MessageBody } from '@nestjs/websockets';
import { ErrorCodes, SocketApi } from '@app/contracts';
import { DomainError } from '@app/platform';
import type { z } from 'zod';

/**
 * Validates an event's payload against its schema in the socket API contract
 * (libs/contracts `SocketApi`), so the server accepts exactly what the published AsyncAPI
 * document says. Unknown fields are refused, not ignored; failures are a DomainError
 * COMMON.VALIDATION_FAILED naming each field at fault, answered as an error ack.
 */
export class SocketPayloadPipe<E extends SocketApi.ClientEventName> implements PipeTransform {
  private readonly schema: z.ZodType;

  constructor(readonly event: E) {
    this.schema = SocketApi.ClientEventSchemas[event].payload;
  }

  transform(value: unknown): SocketApi.ValidClientPayload<E> {
    // An event emitted with only an acknowledgement arrives without a payload.
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data as SocketApi.ValidClientPayload<E>;
    const details = result.error.issues.map((issue) => ({
      field:
        issue.path.join('.') ||
        (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : '(payload)'),
      message: issue.message,
    }));
    throw new DomainError(
      'INVALID_ARGUMENT',
      ErrorCodes.VALIDATION_FAILED,
      `Invalid payload: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`,
      details,
    );
  }
}

/** The validated payload of event `E` (`@Payload('message:send') input`). */
export const Payload = <E extends SocketApi.ClientEventName>(event: E): ParameterDecorator =>
  MessageBody(new SocketPayloadPipe(event));
