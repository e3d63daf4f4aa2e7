/**
 * The one chDB session of this process behind a serial queue.
 *
 * NOTE: chDB is one engine per process and per data directory, and its session keeps `SET` and
 * `USE` between queries. Requests therefore run strictly one after another: each applies its
 * database and settings, runs, and undoes them (see session-state.ts) before the next starts, so
 * the settings of one request can never reach another.
 */
import { createRequire } from 'node:module';
import type { Session } from 'chdb';
import { errorMessage, type Logger } from '@cs/runtime';
import { bindParams } from './query-params.js';
import {
  isUseStatement,
  quoteIdentifier,
  resetStatement,
  setStatement,
  setStatementNames,
} from './session-state.js';

/** What the executor needs to run one query. */
export interface QueryJob {
  sql: string;
  params: Record<string, string>;
  settings: Record<string, string>;
  database: string | undefined;
  /** Output format used when the query has no FORMAT clause. */
  defaultFormat: string;
}

export interface QueryOutcome {
  bytes: Uint8Array;
  /** Rows and bytes of the result, as chDB reports them. */
  resultRows: number;
  resultBytes: number;
  elapsedSeconds: number;
}

export interface EngineInfo {
  version: string;
  timezone: string;
  displayName: string;
}

/**
 * chDB's allocator settings (its own jemalloc, read from JE_MALLOC_CONF once, when the library
 * loads). dirty_decay_ms:0 hands pages freed by a merge or an insert back to the OS at once instead
 * of keeping them for 5 s, so the memory of one merge is not still resident when the next starts.
 */
export const ENGINE_MALLOC_CONF = 'dirty_decay_ms:0';

/**
 * Session settings the engine starts with (and requests return to, see session-state.ts).
 * max_threads = 1: a query that merges the large uniqExact states (monthly_activity over
 * activity_window_30d) holds one aggregation table per thread; with two threads it took ~2× the
 * memory (+220 MB instead of +60 MB at 100k users). The machine has few cores shared with Kafka and
 * the processors, and queries already run one at a time.
 */
export const ENGINE_SESSION_SETTINGS: Readonly<Record<string, string>> = { max_threads: '1' };

/** Loads chDB, after setting its allocator's options unless the environment already sets them. */
function loadChdb(): typeof import('chdb') {
  // NOTE: the env var must exist before the native library loads, hence require() here rather
  // than a static import (which would load it before any code of this process runs).
  process.env.JE_MALLOC_CONF ??= ENGINE_MALLOC_CONF;
  return createRequire(import.meta.url)('chdb') as typeof import('chdb');
}

export class ChdbExecutor {
  readonly #session: Session;
  readonly #log: Logger;
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;
  #closed = false;

  private constructor(session: Session, log: Logger) {
    this.#session = session;
    this.#log = log;
  }

  /**
   * Opens (creating if needed) the data directory; throws if chDB cannot bind it. `engineConfig`
   * is a ClickHouse server config file (config/engine.xml: memory bounds), or undefined for chDB's
   * defaults.
   */
  static open(dataDir: string, log: Logger, engineConfig?: string): ChdbExecutor {
    const { Session } = loadChdb();
    // NOTE: load databases synchronously so tables written before a restart are attached before
    // the first request is served, rather than appearing a moment later.
    const session = new Session(dataDir, {
      connectionArgs: [
        '--async_load_databases=0',
        '--async_load_system_database=0',
        ...Object.entries(ENGINE_SESSION_SETTINGS).map(([name, value]) => `--${name}=${value}`),
        ...(engineConfig === undefined ? [] : [`--config-file=${engineConfig}`]),
      ],
    });
    return new ChdbExecutor(session, log);
  }

  /** Queries waiting or running. */
  get pending(): number {
    return this.#pending;
  }

  async info(): Promise<EngineInfo> {
    const result = await this.execute({
      sql: 'SELECT version(), timezone(), displayName()',
      params: {},
      settings: {},
      database: undefined,
      defaultFormat: 'TabSeparated',
    });
    const [version = 'unknown', timezone = 'UTC', displayName = 'chdb'] = Buffer.from(result.bytes)
      .toString('utf8')
      .trimEnd()
      .split('\t');
    return { version, timezone, displayName };
  }

  /** Runs one query after every earlier one has finished. */
  execute(job: QueryJob): Promise<QueryOutcome> {
    if (this.#closed) return Promise.reject(new Error('the warehouse is shutting down'));
    this.#pending++;
    const run = this.#tail.then(() => this.#run(job));
    const settle = (): void => {
      this.#pending--;
    };
    this.#tail = run.then(settle, settle);
    return run;
  }

  /** Lets queued queries finish, then releases the engine. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#tail;
    this.#session.close();
  }

  async #run(job: QueryJob): Promise<QueryOutcome> {
    const applied: string[] = [];
    let switchedDatabase = false;
    try {
      if (job.database !== undefined && job.database !== '') {
        switchedDatabase = true;
        await this.#session.queryAsync(`USE ${quoteIdentifier(job.database)}`);
      }
      for (const [name, value] of Object.entries(job.settings)) {
        await this.#session.queryAsync(setStatement(name, value));
        applied.push(name);
      }
      if (isUseStatement(job.sql)) switchedDatabase = true;
      const options = { format: job.defaultFormat };
      const result =
        Object.keys(job.params).length > 0
          ? await this.#session.queryBindAsync(job.sql, bindParams(job.sql, job.params), options)
          : await this.#session.queryAsync(job.sql, options);
      // A successful top-level SET changed the session; undo it like the URL settings.
      applied.push(...setStatementNames(job.sql));
      const bytes = result.bytes();
      return {
        bytes,
        resultRows: result.rowsRead,
        resultBytes: result.bytesRead,
        elapsedSeconds: result.elapsed,
      };
    } finally {
      await this.#restore(applied, switchedDatabase);
    }
  }

  async #restore(settings: readonly string[], switchedDatabase: boolean): Promise<void> {
    try {
      if (settings.length > 0)
        await this.#session.queryAsync(
          resetStatement([...new Set(settings)], ENGINE_SESSION_SETTINGS),
        );
      if (switchedDatabase) await this.#session.queryAsync('USE default');
    } catch (error) {
      // The session now carries state from a finished request; say so loudly rather than let a
      // later query silently run with it.
      this.#log.error('could not reset the chDB session after a query', {
        settings,
        error: errorMessage(error),
      });
    }
  }
}
