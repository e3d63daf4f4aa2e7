/** The gateway's routes: which handler a method and path go to. */
import { isSegmentCallType } from './segment-mapping.js';
import type { IngestKind } from './ingest.js';

export type Route =
  | { kind: 'ingest'; ingest: IngestKind }
  | { kind: 'healthz' }
  | { kind: 'readyz' }
  | { kind: 'method-not-allowed'; allow: string }
  | { kind: 'not-found' };

export function route(method: string | undefined, url: string | undefined): Route {
  const path = (url ?? '/').split('?')[0]?.replace(/\/+$/, '') ?? '';
  const probe = path === '/healthz' ? 'healthz' : path === '/readyz' ? 'readyz' : undefined;
  if (probe !== undefined) {
    return method === 'GET' || method === 'HEAD'
      ? { kind: probe }
      : { kind: 'method-not-allowed', allow: 'GET, HEAD' };
  }
  const match = /^\/v1\/([a-z]+)$/.exec(path);
  const name = match?.[1];
  let ingest: IngestKind | undefined;
  if (name === 'events') ingest = { kind: 'canonical' };
  else if (name === 'batch' || name === 'import') ingest = { kind: 'segment-batch' };
  else if (isSegmentCallType(name)) ingest = { kind: 'segment', type: name };
  if (ingest === undefined) return { kind: 'not-found' };
  return method === 'POST'
    ? { kind: 'ingest', ingest }
    : { kind: 'method-not-allowed', allow: 'POST' };
}
