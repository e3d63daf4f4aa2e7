/**
 * Structured logs: one JSON object per line on stderr, with a level, a time, the component and
 * fields. Keys that look like secrets are redacted, so a config object can be logged as is.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /(password|secret|token|api[-_]?key|authorization|credential)/i;

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  component: string;
  level?: LogLevel;
  /** Where lines go; stderr by default. */
  write?: (line: string) => void;
  fields?: Record<string, unknown>;
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return {
      name: value.name,
      message: value.message,
      ...('code' in value ? { code: value.code } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(inner, depth + 1);
  }
  return out;
}

function parseLevel(raw: string | undefined): LogLevel | undefined {
  return raw === 'debug' || raw === 'info' || raw === 'warn' || raw === 'error' ? raw : undefined;
}

export function createLogger(options: LoggerOptions): Logger {
  const threshold = LEVELS[options.level ?? parseLevel(process.env.LOG_LEVEL) ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const base = { component: options.component, ...options.fields };

  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[level] < threshold) return;
    const record = { time: new Date().toISOString(), level, ...base, message, ...fields };
    write(JSON.stringify(redact(record)));
  };

  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger({ ...options, fields: { ...options.fields, ...fields } }),
  };
}
