/** What kafkajs reports of a fetched batch (its START/END_BATCH_PROCESS instrumentation events). */
export interface BatchProcessReport {
  readonly batchSize: number;
  readonly firstOffset: string | null;
  readonly lastOffset: string;
}

/**
 * The last offset of a fetched batch that kafkajs emptied by filtering — only transaction markers
 * (control records) or aborted records — else undefined. Committing past it is safe: none of those
 * offsets holds a record a consumer would ever see.
 *
 * NOTE: kafkajs 2.2 never calls eachBatch for such a batch. Its runner resolves `lastOffset()`
 * itself, commits it only with autoCommit on (we run with it off), and reports the batch solely
 * through END_BATCH_PROCESS with `batchSize` 0. Without a commit of our own, the marker closing
 * each transaction stays as a lag of 1 for ever. `firstOffset` is null when the fetch held only
 * records below the fetched offset (compressed sets after compaction); kafkajs then reports the
 * fetched offset itself as `lastOffset` without having seen it, so nothing is passed.
 */
export function filteredThrough(batch: BatchProcessReport): string | undefined {
  return batch.batchSize === 0 && batch.firstOffset !== null ? batch.lastOffset : undefined;
}
