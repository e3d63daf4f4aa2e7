import { describe, expect, it } from 'vitest';
import { apiKeyOf } from './auth.js';

const KEY = 'write-key-0123456789';
const basic = (credentials: string): string =>
  `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('apiKeyOf', () => {
  it.each([
    ['Segment Basic: key as user name, empty password', basic(`${KEY}:`)],
    ['Basic with a password, which is ignored', basic(`${KEY}:whatever`)],
    ['Basic without a colon', basic(KEY)],
    ['Bearer', `Bearer ${KEY}`],
    ['case-insensitive scheme and trailing space', `bearer ${KEY} `],
  ])('reads %s', (_name, header) => {
    expect(apiKeyOf(header)).toEqual({ ok: true, apiKey: KEY });
  });

  it.each([
    ['no header', undefined, /missing Authorization header/],
    ['an empty header', '  ', /missing Authorization header/],
    ['another scheme', `Digest ${KEY}`, /malformed/],
    ['Basic with an empty user name', basic(':password'), /malformed/],
    ['Bearer without a token', 'Bearer ', /malformed/],
    ['Basic with two tokens', `Basic a b`, /malformed/],
  ])('refuses %s without echoing it', (_name, header, reason) => {
    const result = apiKeyOf(header);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
    expect(JSON.stringify(result)).not.toContain(KEY);
  });
});
