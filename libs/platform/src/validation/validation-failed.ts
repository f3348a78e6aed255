import { ErrorCodes } from '@app/contracts';
import { DomainError } from '../errors/domain-error';

/** One broken rule of a request: the field at fault (a dotted path) and what is wrong. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * The one error of a request that broke its rules, on every transport: INVALID_ARGUMENT
 * `COMMON.VALIDATION_FAILED` with one detail per problem, so a form can mark each field.
 * The message defaults to `field: problem; …`.
 */
export function validationFailed(
  problems: readonly FieldProblem[],
  message = problems.map((p) => `${p.field}: ${p.message}`).join('; '),
): DomainError {
  return new DomainError('INVALID_ARGUMENT', ErrorCodes.VALIDATION_FAILED, message, [...problems]);
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string =>
  typeof value === 'string' && UUID_PATTERN.test(value);

/**
 * `value` as a lower-cased UUID, or {@link validationFailed} naming `field`: for ids that
 * arrive unchecked (proto strings, event payloads, GraphQL `ID`s).
 */
export function assertUuid(field: string, value: unknown): string {
  if (!isUuid(value)) throw validationFailed([{ field, message: 'must be a UUID' }]);
  return value.toLowerCase();
}
