import { CsError } from '@cs/runtime';
import { ByteReader, ByteWriter } from './binary-io.js';
import { dayString } from './local-day.js';
import { contextKey, createUserState, type UserState } from './user-state.js';

/**
 * A user's state as the value of its compacted changelog record (key tenant/userId). Binary and
 * versioned by its first byte; a version this code does not know is refused, not guessed at.
 *
 * Version 1, in order (u = unsigned varint, s = zigzag varint, str = u byte length + UTF-8):
 *   u8 1 · str tenant · str userId · s latestDay+1 (0: none) · s heldFromDay+1 (0: none)
 *   u contexts · per context: str module, str product, str accountId
 *   u days · per day: s dayNumber · u events · s first ts · u ts deltas (n − 1, sorted so ≥ 0)
 *          · n × str id · n × u context index
 *   u late ids · str each, oldest first
 * Only what cannot be derived is written: the id index and the last-session cache are rebuilt.
 */

export const USER_STATE_VERSION = 1;

export type StateCodecErrorCode = 'state_version_unknown' | 'state_corrupt';

export function encodeUserState(state: UserState): Buffer {
  const writer = new ByteWriter(64 + 48 * state.heldIds.size);
  writer.byte(USER_STATE_VERSION);
  writer.string(state.tenant);
  writer.string(state.userId);
  writer.signed(state.latestDay === null ? 0 : state.latestDay + 1);
  writer.signed(state.heldFromDay === null ? 0 : state.heldFromDay + 1);
  writer.unsigned(state.contexts.length);
  for (const context of state.contexts) {
    writer.string(context.module);
    writer.string(context.product);
    writer.string(context.accountId);
  }
  writer.unsigned(state.days.length);
  for (const day of state.days) {
    writer.signed(day.dayNumber);
    writer.unsigned(day.ts.length);
    let previous = 0;
    day.ts.forEach((ts, index) => {
      if (index === 0) writer.signed(ts);
      else writer.unsigned(ts - previous);
      previous = ts;
    });
    for (const id of day.ids) writer.string(id);
    for (const context of day.contexts) writer.unsigned(context);
  }
  writer.unsigned(state.recentIds.length);
  for (const id of state.recentIds) writer.string(id);
  return writer.finish();
}

function corrupt(message: string, cause?: unknown): CsError<StateCodecErrorCode> {
  return new CsError<StateCodecErrorCode>('state_corrupt', `user state: ${message}`, { cause });
}

export function decodeUserState(buffer: Buffer): UserState {
  const reader = new ByteReader(buffer);
  let version: number;
  try {
    version = reader.byte();
  } catch (error: unknown) {
    throw corrupt('empty record', error);
  }
  if (version !== USER_STATE_VERSION) {
    throw new CsError<StateCodecErrorCode>(
      'state_version_unknown',
      `user state version ${version} is not known (this code reads ${USER_STATE_VERSION})`,
    );
  }
  try {
    return decodeVersion1(reader);
  } catch (error: unknown) {
    if (error instanceof CsError) throw error;
    throw corrupt(error instanceof Error ? error.message : String(error), error);
  }
}

function decodeVersion1(reader: ByteReader): UserState {
  const state = createUserState(reader.string(), reader.string());
  const latest = reader.signed();
  state.latestDay = latest === 0 ? null : latest - 1;
  const heldFrom = reader.signed();
  state.heldFromDay = heldFrom === 0 ? null : heldFrom - 1;

  const contextCount = reader.unsigned();
  for (let i = 0; i < contextCount; i += 1) {
    const context = {
      module: reader.string(),
      product: reader.string(),
      accountId: reader.string(),
    };
    state.contexts.push(context);
    state.contextIndex.set(contextKey(context.module, context.product, context.accountId), i);
  }

  const dayCount = reader.unsigned();
  for (let d = 0; d < dayCount; d += 1) {
    const dayNumber = reader.signed();
    const events = reader.unsigned();
    if (events > reader.remaining) throw corrupt(`day ${dayNumber} claims ${events} events`);
    const ts: number[] = [];
    for (let i = 0; i < events; i += 1) {
      ts.push(i === 0 ? reader.signed() : (ts[i - 1] ?? 0) + reader.unsigned());
    }
    const ids: string[] = [];
    for (let i = 0; i < events; i += 1) ids.push(reader.string());
    const contexts: number[] = [];
    for (let i = 0; i < events; i += 1) {
      const context = reader.unsigned();
      if (context >= contextCount) throw corrupt(`event points at context ${context}`);
      contexts.push(context);
    }
    for (const id of ids) state.heldIds.add(id);
    state.days.push({
      dayNumber,
      day: dayString(dayNumber),
      ts,
      ids,
      contexts,
      lastSession: undefined,
    });
  }

  const lateCount = reader.unsigned();
  for (let i = 0; i < lateCount; i += 1) {
    const id = reader.string();
    state.recentIds.push(id);
    state.recentIdSet.add(id);
  }
  if (reader.remaining !== 0) throw corrupt(`${reader.remaining} bytes after the end`);
  return state;
}
