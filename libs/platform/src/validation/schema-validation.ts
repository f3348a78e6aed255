import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { type FieldProblem, validationFailed } from './validation-failed';

/** The problems zod found, each named by its path (unknown keys by their names). */
function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    field:
      issue.path.join('.') ||
      (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : '(payload)'),
    message: issue.message,
  }));
}

/**
 * Checks a payload against a zod schema — for contracts declared as zod schemas, such as
 * messenger's socket.io API — and returns what the schema makes of it, or throws
 * {@link validationFailed} (`Invalid payload: field: problem; …`). An absent payload (an
 * event emitted with only an acknowledgement) is checked as `{}`.
 */
export function parsePayload<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = problemsOf(result.error);
  throw validationFailed(
    problems,
    `Invalid payload: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
  );
}

/** A pipe running {@link parsePayload} with `schema` (socket.io `@MessageBody(pipe)`). */
export class SchemaValidationPipe<S extends z.ZodType> implements PipeTransform {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    return parsePayload(this.schema, value);
  }
}
