import { ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { type FieldProblem, validationFailed } from './validation-failed';

/*
 * Requests declared as class-validator DTOs (REST bodies and queries, GraphQL inputs, gRPC
 * requests) are checked here. class-validator's messages already name their field
 * ("email must be a valid email address"), so the error's message joins them as they are.
 */

/** Every constraint message of `errors`, nested properties as dotted paths. */
function problemsOf(errors: readonly ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = prefix + error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...problemsOf(error.children ?? [], `${field}.`)];
  });
}

const refusal = (errors: readonly ValidationError[], prefix = '') => {
  const problems = problemsOf(errors);
  return validationFailed(problems, prefix + problems.map((p) => p.message).join('; '));
};

type Class<T> = new () => T;

/**
 * Checks `value` against `dto` and returns the typed instance, or throws
 * {@link validationFailed} (`Invalid request: …`) listing every broken rule. Fields the DTO
 * does not declare are dropped, not refused, as a gRPC server drops fields its proto lacks.
 * For handlers the global pipe skips: gRPC methods, typed by generated interfaces, and
 * routes that take the same DTOs as their gRPC twins.
 */
export async function validateDto<T extends object>(dto: Class<T>, value: unknown): Promise<T> {
  const instance = plainToInstance(dto, value ?? {});
  const errors = await validate(instance, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) throw refusal(errors, 'Invalid request: ');
  return instance;
}

/**
 * The global pipe of every service: a handler parameter typed by a DTO class is checked
 * and converted; a field the DTO does not declare is refused; any broken rule is a
 * {@link validationFailed} error, so every transport answers it from its own table.
 */
export function requestValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => refusal(errors),
  });
}
