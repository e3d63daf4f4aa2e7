import { z } from 'zod';
import { CsError } from './errors.js';

/**
 * Parses configuration from the environment once, in `main`, with a zod schema whose keys are the
 * env var names. A bad value fails with one message naming every bad key, the value given and
 * what is allowed; values of keys that look like secrets are never echoed.
 */
export function parseEnv<Schema extends z.ZodType>(
  schema: Schema,
  env: Record<string, string | undefined> = process.env,
): z.infer<Schema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join('.');
    const raw = env[key];
    const shown =
      raw === undefined
        ? '(unset)'
        : /secret|password|token|key$/i.test(key)
          ? '[redacted]'
          : JSON.stringify(raw);
    return `${key}=${shown}: ${issue.message}`;
  });
  throw new CsError('CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`);
}

/** A TCP port given as a string in the environment. */
export const portSchema = z.coerce.number().int().min(1).max(65535);
