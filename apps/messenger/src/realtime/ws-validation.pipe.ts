import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';

/**
 * Validates event payloads against their class-validator DTOs. Failures become a
 * DomainError COMMON.VALIDATION_FAILED (answered as an error ack by
 * {@link WsAckExceptionFilter}), not a WsException. Only the payload is validated: the
 * socket and the current user are other parameters of the same handler.
 *
 * Apply it as an instance (`@UsePipes(new WsValidationPipe())`): Nest's websocket context
 * has no module injector lookup for class-referenced pipes and silently drops them.
 */
@Injectable()
export class WsValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
      exceptionFactory: (errors) => validationFailed(flatten(errors)),
    });
  }

  protected override toValidate(metadata: ArgumentMetadata): boolean {
    // Nest reports `@MessageBody()` as 'body'; the socket and `@SocketUser()` are not payloads.
    return metadata.type === 'body' && super.toValidate(metadata);
  }
}

function flatten(
  errors: ValidationError[],
  parent = '',
): Array<{ field: string; message: string }> {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

function validationFailed(details: Array<{ field: string; message: string }>): DomainError {
  return new DomainError(
    'INVALID_ARGUMENT',
    ErrorCodes.VALIDATION_FAILED,
    `Invalid payload: ${details.map((d) => d.message).join('; ')}`,
    details,
  );
}
