import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { CsError, errorMessage } from '@cs/runtime';
import { tenantsFileSchema, type Tenant, type TenantsFile } from './tenant-config.js';

export type TenantsErrorCode = 'TENANTS_FILE_UNREADABLE' | 'TENANTS_FILE_INVALID';

/** The repository root, found from this file's place in it (services/tenants/src or dist). */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const DEFAULT_TENANTS_FILE = path.join(REPO_ROOT, 'config/tenants.json');

/** The tenants file `CS_TENANTS_FILE` names (relative paths from the repo root), or the default. */
export function tenantsFilePath(env: Record<string, string | undefined> = process.env): string {
  const configured = env.CS_TENANTS_FILE;
  if (configured === undefined || configured.trim() === '') return DEFAULT_TENANTS_FILE;
  return path.resolve(REPO_ROOT, configured);
}

/** The tenants of one file, looked up by API key (the gateway) or by id (everything else). */
export interface TenantDirectory {
  file: string;
  tenants: readonly Tenant[];
  byApiKey(apiKey: string): Tenant | undefined;
  byId(id: string): Tenant | undefined;
}

function pathText(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? '(file)' : out;
}

function invalid(file: string, problems: string[]): CsError<TenantsErrorCode> {
  return new CsError<TenantsErrorCode>(
    'TENANTS_FILE_INVALID',
    `invalid tenants file ${file}:\n  ${problems.join('\n  ')}`,
  );
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${pathText(issue.path)}: ${issue.message}`);
}

/** Builds the lookups and refuses what a schema cannot see: duplicate ids and shared keys. */
function directory(file: string, parsed: TenantsFile): TenantDirectory {
  const problems: string[] = [];
  const ids = new Map<string, number>();
  const keys = new Map<string, Tenant>();
  const tenants: Tenant[] = [];
  parsed.tenants.forEach(({ apiKeys, ...tenant }, index) => {
    const first = ids.get(tenant.id);
    if (first !== undefined) {
      problems.push(`tenants[${index}].id: "${tenant.id}" is already used by tenants[${first}]`);
    } else ids.set(tenant.id, index);
    tenants.push(tenant);
    apiKeys.forEach((key, keyIndex) => {
      // The message names where the key is, never the key.
      if (keys.has(key)) {
        problems.push(`tenants[${index}].apiKeys[${keyIndex}]: the same key is listed twice`);
      }
      keys.set(key, tenant);
    });
  });
  if (problems.length > 0) throw invalid(file, problems);
  const byId = new Map(tenants.map((tenant) => [tenant.id, tenant]));
  return {
    file,
    tenants,
    byApiKey: (apiKey) => keys.get(apiKey),
    byId: (id) => byId.get(id),
  };
}

/** Parses the text of a tenants file; errors name the file, the tenant index and the field. */
export function parseTenants(text: string, file: string): TenantDirectory {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error: unknown) {
    throw invalid(file, [`not valid JSON: ${errorMessage(error)}`]);
  }
  const result = tenantsFileSchema.safeParse(json);
  if (!result.success) throw invalid(file, describeIssues(result.error.issues));
  return directory(file, result.data);
}

/** Reads and checks the tenants file (by default the one `CS_TENANTS_FILE` names). */
export function loadTenants(file: string = tenantsFilePath()): TenantDirectory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error: unknown) {
    throw new CsError<TenantsErrorCode>(
      'TENANTS_FILE_UNREADABLE',
      `cannot read tenants file ${file}: ${errorMessage(error)} (set CS_TENANTS_FILE to another file)`,
      { cause: error },
    );
  }
  return parseTenants(text, file);
}
