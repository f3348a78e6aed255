import { z } from 'zod';

/** Thrown at boot when the environment does not satisfy a service's config schema. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Parses the environment into a typed config object, reporting every missing or invalid
 * variable at once (not just the first) so an operator fixes them in one go.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const got = typeof issue.path[0] === 'string' ? env[issue.path[0]] : undefined;
    return got === undefined ? `${name}: ${issue.message} (not set)` : `${name}: ${issue.message}`;
  });
  throw new ConfigValidationError(problems);
}

/** Injection token of the service's typed config object. */
export const APP_CONFIG = Symbol('APP_CONFIG');
