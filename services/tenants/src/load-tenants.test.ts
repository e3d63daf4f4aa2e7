import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CsError } from '@cs/runtime';
import {
  DEFAULT_TENANTS_FILE,
  loadTenants,
  parseTenants,
  tenantsFilePath,
} from './load-tenants.js';

const KEY_A = 'key-a-0123456789abcdef';
const KEY_B = 'key-b-0123456789abcdef';

function file(tenants: unknown[]): string {
  return JSON.stringify({ tenants });
}

function problemOf(text: string): string {
  try {
    parseTenants(text, 'tenants.json');
  } catch (error: unknown) {
    if (error instanceof CsError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('parseTenants', () => {
  it('applies the defaults and looks tenants up by key and by id', () => {
    const tenants = parseTenants(
      file([
        { id: 'acme', apiKeys: [KEY_A] },
        { id: 'globex', timezone: 'Europe/Paris', timeoutMinutes: 15, apiKeys: [KEY_B] },
      ]),
      'tenants.json',
    );
    expect(tenants.byApiKey(KEY_A)).toEqual({ id: 'acme', timezone: 'UTC', timeoutMinutes: 30 });
    expect(tenants.byApiKey(KEY_B)?.id).toBe('globex');
    expect(tenants.byId('globex')).toEqual({
      id: 'globex',
      timezone: 'Europe/Paris',
      timeoutMinutes: 15,
    });
    expect(tenants.byApiKey('nope-nope-nope-nope')).toBeUndefined();
    expect(tenants.byId('initech')).toBeUndefined();
  });

  it('hands out tenants without their keys', () => {
    const tenants = parseTenants(file([{ id: 'acme', apiKeys: [KEY_A] }]), 'tenants.json');
    expect(JSON.stringify(tenants.tenants)).not.toContain(KEY_A);
    expect(JSON.stringify(tenants.byApiKey(KEY_A))).not.toContain(KEY_A);
  });

  it.each([
    [[{ id: 'Acme', apiKeys: [KEY_A] }], 'tenants[0].id: must match'],
    [
      [{ id: 'acme', timezone: 'Mars/Olympus', apiKeys: [] }],
      'tenants[0].timezone: must be an IANA',
    ],
    [[{ id: 'acme', timeoutMinutes: 0 }], 'tenants[0].timeoutMinutes: must be at least 1'],
    [[{ id: 'acme', timeoutMinutes: 2.5 }], 'tenants[0].timeoutMinutes: must be a whole number'],
    [
      [{ id: 'acme' }, { id: 'globex', apiKeys: [KEY_A, 'short'] }],
      'tenants[1].apiKeys[1]: must be at least 16 characters',
    ],
    [[{ id: 'acme', timeoutMinute: 5 }], 'tenants[0]: Unrecognized key: "timeoutMinute"'],
    [[{ id: 'acme' }, { id: 'acme' }], 'tenants[1].id: "acme" is already used by tenants[0]'],
    [
      [
        { id: 'acme', apiKeys: [KEY_A] },
        { id: 'globex', apiKeys: [KEY_A] },
      ],
      'tenants[1].apiKeys[0]: the same key is listed twice',
    ],
  ])('refuses %j naming the file, index and field', (tenants, expected) => {
    const problem = problemOf(file(tenants));
    expect(problem).toContain('TENANTS_FILE_INVALID: invalid tenants file tenants.json');
    expect(problem).toContain(expected);
  });

  it('never echoes a key in a refusal', () => {
    const shortKey = 'secret-short';
    expect(problemOf(file([{ id: 'acme', apiKeys: [shortKey] }]))).not.toContain(shortKey);
    expect(
      problemOf(
        file([
          { id: 'acme', apiKeys: [KEY_A] },
          { id: 'b', apiKeys: [KEY_A] },
        ]),
      ),
    ).not.toContain(KEY_A);
  });

  it('refuses text that is not JSON, or not a tenants object', () => {
    expect(problemOf('{"tenants": [')).toContain('not valid JSON');
    expect(problemOf('[]')).toContain('(file): ');
  });
});

describe('loadTenants', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cs-tenants-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and names it when it is missing', () => {
    const target = path.join(dir, 'tenants.json');
    writeFileSync(target, file([{ id: 'acme', apiKeys: [KEY_A] }]));
    expect(loadTenants(target).byApiKey(KEY_A)?.id).toBe('acme');
    expect(() => loadTenants(path.join(dir, 'missing.json'))).toThrow(
      /TENANTS|cannot read tenants file .*missing\.json/,
    );
  });

  it('loads the committed development file, whose demo key is marked as such', () => {
    const tenants = loadTenants(DEFAULT_TENANTS_FILE);
    expect(tenants.byId('demo')).toEqual({ id: 'demo', timezone: 'UTC', timeoutMinutes: 30 });
  });

  it('takes the path from CS_TENANTS_FILE, relative to the repo root', () => {
    expect(tenantsFilePath({})).toBe(DEFAULT_TENANTS_FILE);
    expect(tenantsFilePath({ CS_TENANTS_FILE: '/etc/cs/tenants.json' })).toBe(
      '/etc/cs/tenants.json',
    );
    expect(tenantsFilePath({ CS_TENANTS_FILE: 'config/other.json' })).toBe(
      path.join(path.dirname(DEFAULT_TENANTS_FILE), 'other.json'),
    );
  });
});
