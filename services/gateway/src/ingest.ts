/**
 * From a request body to published events and the answer: split into records, map Segment calls,
 * validate each with the key's tenant, publish the valid ones in one acknowledged batch, and
 * report every refused record with its position and reasons. Nothing valid is held back because
 * something invalid arrived beside it; nothing is reported accepted that Kafka did not take.
 */
import { CsError, errorMessage } from '@cs/runtime';
import type { Publisher } from '@cs/publisher';
import { validateEvent, type ValidEvent } from '@cs/schemas';
import { parseRecords, type RecordSlot } from './records.js';
import { mapSegmentCall, segmentErrors, type SegmentCallType } from './segment-mapping.js';

export type IngestKind =
  { kind: 'canonical' } | { kind: 'segment'; type: SegmentCallType } | { kind: 'segment-batch' };

export interface Refused {
  /** Position of the record in the request (0-based; for NDJSON, among the non-blank lines). */
  index: number;
  /** 1-based line of an NDJSON record. */
  line?: number;
  errors: string[];
}

export type IngestBody =
  | { accepted: number; refused: Refused[] }
  | { accepted: 0; error: { code: string; message: string } };

export interface IngestOutcome {
  status: number;
  body: IngestBody;
  /** Set on a Kafka outage: how long the client should wait before retrying. */
  retryAfterSeconds?: number;
}

export interface IngestContext {
  tenant: string;
  publisher: Publisher;
  maxEventBytes: number;
  receivedAt: number;
  retryAfterSeconds: number;
}

type Candidate =
  | { index: number; line?: number; ok: true; value: unknown; segment?: SegmentCallType | 'batch' }
  | { index: number; line?: number; ok: false; tooLarge: boolean; errors: string[] };

function requestError(status: number, code: string, message: string): IngestOutcome {
  return { status, body: { accepted: 0, error: { code, message } } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Segment batch: `{ batch: [calls…], context? }`, each call measured against the event limit. */
function batchCandidates(
  body: Buffer,
  maxEventBytes: number,
):
  | { ok: true; candidates: Candidate[]; context: Record<string, unknown> }
  | { ok: false; message: string } {
  const parsed = parseRecords(body, 'application/json', maxEventBytes);
  if (!parsed.ok) return parsed;
  const [first] = parsed.records;
  if (parsed.form !== 'single' || first === undefined || !first.ok || !isObject(first.value)) {
    return { ok: false, message: 'a batch is one JSON object: {"batch": [calls…]}' };
  }
  const { batch, context } = first.value;
  if (!Array.isArray(batch)) return { ok: false, message: 'batch: must be an array of calls' };
  const measure = body.length > maxEventBytes;
  const candidates = batch.map((value: unknown, index): Candidate => {
    if (measure && Buffer.byteLength(JSON.stringify(value)) > maxEventBytes) {
      return {
        index,
        ok: false,
        tooLarge: true,
        errors: [`event: larger than the limit of ${maxEventBytes} bytes`],
      };
    }
    return { index, ok: true, value, segment: 'batch' };
  });
  return { ok: true, candidates, context: isObject(context) ? context : {} };
}

function toCandidates(
  request: IngestKind,
  body: Buffer,
  contentType: string | undefined,
  maxEventBytes: number,
): { ok: true; candidates: Candidate[]; context?: Record<string, unknown> } | IngestOutcome {
  if (request.kind === 'segment-batch') {
    const batch = batchCandidates(body, maxEventBytes);
    return batch.ok ? batch : requestError(400, 'INVALID_BODY', batch.message);
  }
  const parsed = parseRecords(body, contentType, maxEventBytes);
  if (!parsed.ok) return requestError(400, 'INVALID_BODY', parsed.message);
  if (request.kind === 'segment' && parsed.form !== 'single') {
    return requestError(
      400,
      'INVALID_BODY',
      `/v1/${request.type} takes one call as a JSON object; send several to /v1/batch`,
    );
  }
  const segment = request.kind === 'segment' ? request.type : undefined;
  const candidates = parsed.records.map((slot: RecordSlot): Candidate =>
    slot.ok && segment !== undefined ? { ...slot, segment } : slot,
  );
  return { ok: true, candidates };
}

interface Checked {
  valid: ValidEvent[];
  refused: Refused[];
  allTooLarge: boolean;
}

function check(
  candidates: readonly Candidate[],
  tenant: string,
  receivedAt: number,
  batchContext: Record<string, unknown> | undefined,
): Checked {
  const valid: ValidEvent[] = [];
  const refused: Refused[] = [];
  let allTooLarge = true;
  const refuse = (candidate: Candidate, errors: string[], tooLarge = false): void => {
    if (!tooLarge) allTooLarge = false;
    const { index, line } = candidate;
    refused.push(line === undefined ? { index, errors } : { index, line, errors });
  };
  for (const candidate of candidates) {
    if (!candidate.ok) {
      refuse(candidate, candidate.errors, candidate.tooLarge);
      continue;
    }
    if (candidate.segment === undefined) {
      const result = validateEvent(candidate.value, { tenant });
      if (result.ok) valid.push(result);
      else
        refuse(
          candidate,
          result.errors.map((error) => error.message),
        );
      continue;
    }
    const mapped = mapSegmentCall(candidate.value, {
      ...(candidate.segment === 'batch' ? {} : { type: candidate.segment }),
      receivedAt,
      ...(batchContext === undefined ? {} : { batchContext }),
    });
    if (!mapped.ok) {
      refuse(candidate, mapped.errors);
      continue;
    }
    const result = validateEvent(mapped.event, { tenant });
    if (result.ok) valid.push(result);
    else refuse(candidate, segmentErrors(result.errors, mapped.renames));
  }
  return { valid, refused, allTooLarge };
}

export async function ingest(
  request: IngestKind,
  body: Buffer,
  contentType: string | undefined,
  ctx: IngestContext,
): Promise<IngestOutcome> {
  const split = toCandidates(request, body, contentType, ctx.maxEventBytes);
  if (!('ok' in split)) return split;
  const { valid, refused, allTooLarge } = check(
    split.candidates,
    ctx.tenant,
    ctx.receivedAt,
    split.context,
  );
  if (valid.length === 0) {
    const status = refused.length === 0 ? 200 : allTooLarge ? 413 : 400;
    return { status, body: { accepted: 0, refused } };
  }
  try {
    await ctx.publisher.publish(valid);
  } catch (error: unknown) {
    if (error instanceof CsError && error.retriable) {
      return {
        status: 503,
        retryAfterSeconds: ctx.retryAfterSeconds,
        body: {
          accepted: 0,
          error: {
            code: (error as CsError).code,
            message: `nothing from this request was accepted; retry it unchanged (${errorMessage(error)})`,
          },
        },
      };
    }
    throw error;
  }
  return { status: 200, body: { accepted: valid.length, refused } };
}
