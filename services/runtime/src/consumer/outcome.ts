/**
 * What a handler sees and what it answers. Handlers never touch Kafka: they get a decoded record and
 * return an outcome; the consumer shell produces, dead-letters, retries and commits.
 */

/** Header values as Kafka carries them (kafkajs gives strings or bytes, sometimes repeated). */
export type HeaderValue = Buffer | string | Array<Buffer | string>;
export type RecordHeaders = Record<string, HeaderValue | undefined>;

/** A record exactly as it was read: the bytes and where they came from. */
export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are 64-bit; kept as the decimal string kafkajs uses. */
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: RecordHeaders;
  /** Record timestamp, milliseconds since the epoch as a decimal string. */
  readonly timestamp: string;
}

/** A record to produce. `value: null` is a tombstone (a delete in a compacted changelog). */
export interface OutputRecord {
  readonly topic: string;
  readonly key: Buffer | string | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, Buffer | string>>;
  /** Only when the handler must pick the partition; otherwise the key decides. */
  readonly partition?: number;
}

export type HandlerOutcome =
  /**
   * Done. `outputs` go to derived topics; `changelog` (state updates, e.g. open sessions) is written
   * with them — in exactly-once mode in the same transaction as the input offsets.
   */
  | {
      readonly kind: 'ok';
      readonly outputs?: readonly OutputRecord[];
      readonly changelog?: readonly OutputRecord[];
    }
  /** Try the same record again later (transient: a dependency is down). */
  | { readonly kind: 'retry'; readonly reason: string; readonly delayMs?: number }
  /** Never going to work: park the original bytes in the dead-letter topic. */
  | { readonly kind: 'dlq'; readonly reason: string; readonly step: string }
  /** Deliberately ignored (a duplicate, an event type this processor does not care about). */
  | { readonly kind: 'drop'; readonly reason: string };

export type OutcomeKind = HandlerOutcome['kind'];

export interface HandlerInput<T> {
  readonly data: T;
  readonly source: SourceRecord;
  /** 1 on the first try, then 2, 3, … while the record is being retried. */
  readonly attempt: number;
}

/** Turns the bytes of a record into the handler's type; throwing means "undecodable" (dead letter). */
export type RecordDecoder<T> = (record: SourceRecord) => Promise<T>;
export type RecordHandler<T> = (input: HandlerInput<T>) => Promise<HandlerOutcome>;

/** Small constructors so handlers read as `return ok([out])`, `return drop('duplicate')`. */
export const outcome = {
  ok: (outputs?: readonly OutputRecord[], changelog?: readonly OutputRecord[]): HandlerOutcome => ({
    kind: 'ok',
    ...(outputs === undefined ? {} : { outputs }),
    ...(changelog === undefined ? {} : { changelog }),
  }),
  retry: (reason: string, delayMs?: number): HandlerOutcome => ({
    kind: 'retry',
    reason,
    ...(delayMs === undefined ? {} : { delayMs }),
  }),
  dlq: (reason: string, step: string): HandlerOutcome => ({ kind: 'dlq', reason, step }),
  drop: (reason: string): HandlerOutcome => ({ kind: 'drop', reason }),
} as const;
