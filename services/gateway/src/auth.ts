/**
 * The API key of a request: Segment-style HTTP Basic with the write key as the user name (the
 * password is empty, and ignored), or `Authorization: Bearer KEY`. The key is a secret: it is
 * returned to the caller for a lookup and never put in a message.
 */

export type AuthResult = { ok: true; apiKey: string } | { ok: false; reason: string };

const BASIC = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i;
const BEARER = /^bearer\s+(\S+)\s*$/i;

export function apiKeyOf(header: string | undefined): AuthResult {
  if (header === undefined || header.trim() === '') {
    return {
      ok: false,
      reason: 'missing Authorization header (Basic with the write key as user name, or Bearer)',
    };
  }
  const bearer = BEARER.exec(header);
  if (bearer?.[1] !== undefined) return { ok: true, apiKey: bearer[1] };
  const basic = BASIC.exec(header);
  if (basic?.[1] !== undefined) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    // `key:` (Segment) or `key:anything`; a key never contains `:`.
    const colon = decoded.indexOf(':');
    const apiKey = colon === -1 ? decoded : decoded.slice(0, colon);
    if (apiKey !== '') return { ok: true, apiKey };
  }
  return {
    ok: false,
    reason: 'malformed Authorization header (expected Basic or Bearer credentials)',
  };
}
