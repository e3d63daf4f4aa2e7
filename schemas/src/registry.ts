import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { CsError } from '@cs/runtime';
import { avroOptions } from './avro-types.js';
import { AVRO_SCHEMAS, SCHEMA_NAMES, type SchemaName } from './generated/index.js';
import type { TopicCatalog } from './topics.js';

export type RegistryErrorCode = 'SCHEMA_REGISTER_FAILED' | 'SCHEMA_INCOMPATIBLE';

/** The registry id of each of our schemas, as registered at start-up. */
export type SchemaIds = Record<SchemaName, number>;

export interface SchemaRegistryOptions {
  /** Base URL of a Confluent-API registry, e.g. `http://127.0.0.1:18081/apis/ccompat/v7`. */
  host: string;
  clientId?: string;
  /** How long one request may wait for its answer (default REGISTRY_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
}

/**
 * NOTE: the client sets no timeout of its own, so a request the registry accepted but never
 * answered waited for ever: seen once in a chaos run, where Apicurio took a GET on a reused
 * keep-alive connection and neither logged nor answered it, and `cs ingest` hung. A timed-out
 * request fails as a connection failure (isConnectionFailure): callers retry it, and
 * registerSchemas repeats it itself (REGISTER_TIMEOUT_RETRIES). 30 s, not 10: in a CI run (the
 * test files in parallel on 2 cores) a registration got no answer within 10 s, and a service
 * failed to start; slow or never answered, a repeat on a new connection gets it through.
 */
export const REGISTRY_REQUEST_TIMEOUT_MS = 30_000;

/** How many times registerSchemas repeats a registration that timed out before it gives up. */
export const REGISTER_TIMEOUT_RETRIES = 2;

type RegistryMiddleware = NonNullable<
  ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']
>[number];

/** A mappersmith middleware giving every request without a timeout of its own `ms`. */
const requestTimeout =
  (ms: number): RegistryMiddleware =>
  () => ({
    async prepareRequest(next) {
      const request = await next();
      return request.timeout() ? request : request.enhance({ timeout: ms });
    },
  });

/**
 * A registry client whose avsc types read `decimal` as exact strings. Use it for everything that
 * touches our topics: writer schemas fetched by a client without these options cannot be resolved
 * to our reader schemas (see DecimalType).
 */
export function createSchemaRegistry(options: SchemaRegistryOptions): SchemaRegistry {
  return new SchemaRegistry(
    {
      host: options.host,
      clientId: options.clientId ?? 'cs-schemas',
      middlewares: [requestTimeout(options.requestTimeoutMs ?? REGISTRY_REQUEST_TIMEOUT_MS)],
    },
    { [SchemaType.AVRO]: avroOptions() },
  );
}

/** The HTTP status of a registry client error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error) {
    const status = error.status;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

/**
 * NOTE: @kafkajs/confluent-schema-registry reports a refused or failed connection, and a request
 * that timed out ("Timeout (30000ms)"), as a ResponseError with status 400, indistinguishable by
 * status from a real 400; only the message tells a network failure, which is worth retrying.
 */
function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The client's report of a request that got no answer in time ("Timeout (30000ms)"). */
function isRequestTimeout(error: unknown): boolean {
  return /\bTimeout \(\d+ms\)/.test(errorText(error));
}

export function isConnectionFailure(error: unknown): boolean {
  return (
    /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|socket hang up)\b/.test(
      errorText(error),
    ) || isRequestTimeout(error)
  );
}

/**
 * True when a registry request failed for want of an answer rather than because of one: no
 * status, a server error, or a connection failure (a refused connection is status 400, above).
 * Such a request is worth repeating; anything else is the registry's answer.
 */
export function isRegistryUnavailable(error: unknown): boolean {
  const status = statusOf(error);
  return status === undefined || status >= 500 || isConnectionFailure(error);
}

/**
 * NOTE: the client's register() is read-then-write: GET /config/{subject} (404 = new subject),
 * POST the schema, then — only for a new subject — PUT /config/{subject}. Processes starting side
 * by side on a fresh prefix interleave those steps, and against Apicurio (Confluent API) that
 * shows as two transient errors:
 * - another process has POSTed but not yet PUT the config: the subject reads back with the
 *   registry's default level, and the client throws its CompatibilityError;
 * - two processes both saw 404 and both PUT the config: Apicurio answers the second with 409
 *   "A rule named 'COMPATIBILITY' already exists" (the schema itself is registered by then).
 * Both settle within the other process's next request, so they are retried (the client re-reads
 * the config each time, and registering an existing schema returns its id). Only a level that
 * stays wrong is reported — someone configured the subject by hand.
 */
function isStartupRace(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ConfluentSchemaRegistryCompatibilityError') return true;
  const url = 'url' in error && typeof error.url === 'string' ? error.url : '';
  return statusOf(error) === 409 && /^put\s.*\/config\//i.test(url);
}

/** Pauses between attempts while another process finishes configuring a subject (~3 s in all). */
export const STARTUP_RACE_DELAYS_MS: readonly number[] = [50, 100, 200, 400, 800, 1600];

export interface RegisterSchemasOptions {
  /** Pauses before each retry of a start-up race (tests shorten them). */
  readonly raceDelaysMs?: readonly number[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function registerOne(
  registry: SchemaRegistry,
  name: SchemaName,
  subject: string,
  delaysMs: readonly number[],
): Promise<number> {
  let races = 0;
  let timeouts = 0;
  for (;;) {
    try {
      const { id } = await registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(AVRO_SCHEMAS[name]) },
        { subject, compatibility: COMPATIBILITY.BACKWARD },
      );
      return id;
    } catch (error: unknown) {
      // A registration is idempotent: one that got no answer is simply sent again.
      if (isRequestTimeout(error) && timeouts < REGISTER_TIMEOUT_RETRIES) {
        timeouts += 1;
        continue;
      }
      const delay = delaysMs[races];
      if (delay === undefined || !isStartupRace(error)) throw error;
      races += 1;
      await sleep(delay);
    }
  }
}

/**
 * Registers every schema under its topic's subject with BACKWARD compatibility (set when the
 * subject is new; an existing subject with another level is refused by the client) and returns
 * the ids. Registering an unchanged schema again returns its existing id, so every process can
 * call this at start-up, also concurrently (see isStartupRace). A schema the registry refuses as
 * incompatible is a deploy error, not a transient one.
 */
export async function registerSchemas(
  registry: SchemaRegistry,
  catalog: TopicCatalog,
  options: RegisterSchemasOptions = {},
): Promise<SchemaIds> {
  const ids: Partial<SchemaIds> = {};
  for (const name of SCHEMA_NAMES) {
    const { subject } = catalog.forSchema(name);
    try {
      ids[name] = await registerOne(
        registry,
        name,
        subject,
        options.raceDelaysMs ?? STARTUP_RACE_DELAYS_MS,
      );
    } catch (error: unknown) {
      const status = statusOf(error);
      // The client refuses a subject whose compatibility level is not BACKWARD (someone changed
      // it by hand, or a start-up race outlived every retry); retrying cannot fix that.
      if (isStartupRace(error)) {
        throw new CsError<RegistryErrorCode>(
          'SCHEMA_REGISTER_FAILED',
          `subject ${subject} is not configured for BACKWARD compatibility: ${errorText(error)}`,
          { cause: error },
        );
      }
      if (status === 409) {
        throw new CsError<RegistryErrorCode>(
          'SCHEMA_INCOMPATIBLE',
          `schema ${name} is not BACKWARD compatible with the latest version under ${subject}`,
          { cause: error },
        );
      }
      const unreachable = isConnectionFailure(error);
      throw new CsError<RegistryErrorCode>(
        'SCHEMA_REGISTER_FAILED',
        `could not register schema ${name} under ${subject}${unreachable ? `: the registry is unreachable (${errorText(error)})` : ''}`,
        { cause: error, retriable: isRegistryUnavailable(error) },
      );
    }
  }
  return ids as SchemaIds;
}
