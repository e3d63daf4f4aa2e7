// The public API of @cs/sessionizer: the pure core (no Kafka). The consumer shell feeds each usage
// event to `applyEvent` with its user's state and tenant config, writes the outputs and the
// encoded state (changelog) in one transaction.
export {
  localDay,
  localDayNumber,
  dayString,
  dayNumberOf,
  zoneOffsetMs,
  isIanaTimeZone,
  type LocalDayErrorCode,
} from './local-day.js';
export { tenantDays, type TenantDay } from './tenant-days.js';
export {
  sessionizeUserDay,
  type SessionizableEvent,
  type SessionizeOptions,
  type UserDaySessions,
  type SessionizeErrorCode,
} from './sessionize-user-day.js';
export { sessionIdOf } from './session-id.js';
export {
  sessionizerConfigSchema,
  parseSessionizerConfig,
  sessionizerConfigForTenant,
  type SessionizerConfig,
  type SessionizerConfigInput,
  type SessionizerConfigErrorCode,
} from './config.js';
export {
  applyEvent,
  type ApplicableEvent,
  type ApplyOutcome,
  type ApplyResult,
  type ApplyEventErrorCode,
} from './apply-event.js';
export {
  createUserState,
  evictDays,
  heldEventCount,
  type UserState,
  type HeldDay,
} from './user-state.js';
export type { EventContext } from './day-columns.js';
export {
  encodeUserState,
  decodeUserState,
  USER_STATE_VERSION,
  type StateCodecErrorCode,
} from './state-codec.js';
export type {
  Sign,
  Session,
  TimeSlice,
  SessionRow,
  TimeSliceRow,
  ActivityRow,
  LateEventRow,
  SessionizerOutput,
} from './outputs.js';
