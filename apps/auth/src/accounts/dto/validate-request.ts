import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { validationFailed } from '../accounts.errors';

type Class<T> = new () => T;

/**
 * Validates a gRPC request against a class-validator DTO and returns the typed instance,
 * or throws INVALID_ARGUMENT listing every field problem.
 *
 * Why not the global ValidationPipe: it throws HTTP-style BadRequestException, which the
 * gRPC exception filter does not know and would answer INTERNAL. gRPC handlers therefore
 * take the generated request interface (which the pipe skips) and validate here.
 */
export async function validateRequest<T extends object>(
  dto: Class<T>,
  request: unknown,
): Promise<T> {
  const instance = plainToInstance(dto, request ?? {});
  const errors = await validate(instance, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) throw validationFailed(flatten(errors));
  return instance;
}

function flatten(
  errors: ValidationError[],
  prefix = '',
): Array<{ field: string; message: string }> {
  return errors.flatMap((error) => {
    const field = prefix + error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], `${field}.`)];
  });
}
