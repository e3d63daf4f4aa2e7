import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices, uniqueName } from '@cs/infra/testing';
import { deleteTopics, readPublished, type PublishedRecord } from '@cs/publisher/testing';
import { eventKey, topicCatalog, validateEvent } from '@cs/schemas';
import type { CliIo } from '../command.js';
import { generateCommand } from './generate.js';
import { ingestCommand } from './ingest.js';

// `cs ingest` against the real Kafka and registry: a generated workload with bad lines goes in
// under a unique topic prefix; what Kafka then holds is read back and compared with the file.
const services = testServices();
const prefix = `${uniqueName('ingest')}.`;
const catalog = topicCatalog({ prefix });
let dir: string;

function captureIo(env: Record<string, string>, stdin = new PassThrough()) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const io: CliIo = { stdout, stderr, stdin, env };
  return {
    io,
    out: () => Buffer.concat(out).toString(),
    err: () => Buffer.concat(err).toString(),
  };
}

const env = (overrides: Record<string, string> = {}): Record<string, string> => ({
  KAFKA_BROKERS: services.kafkaBrokers.join(','),
  SCHEMA_REGISTRY_URL: services.schemaRegistryUrl,
  CS_TOPIC_PREFIX: prefix,
  ...overrides,
});

function summaryNumber(summary: string, label: string): number {
  const match = new RegExp(`^${label}:\\s+([\\d,]+)$`, 'm').exec(summary);
  if (match?.[1] === undefined) throw new Error(`no ${label} in summary:\n${summary}`);
  return Number(match[1].replaceAll(',', ''));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cs-ingest-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await deleteTopics(services.kafkaBrokers, catalog);
  for (const topic of catalog.all) {
    const subject = encodeURIComponent(topic.subject);
    // Soft then hard delete, as the registry requires; a subject never registered answers 404.
    for (const query of ['', '?permanent=true']) {
      const response = await fetch(`${services.schemaRegistryUrl}/subjects/${subject}${query}`, {
        method: 'DELETE',
      });
      await response.body?.cancel();
    }
  }
});

describe('cs ingest', () => {
  it('publishes every good line exactly once, in file order per key, and refuses the bad ones by line', async () => {
    const file = join(dir, 'workload.ndjson');
    const refusalsFile = join(dir, 'refused.ndjson');
    const generated = captureIo({});
    const generateArgs = ['--tenants', '2', '--accounts', '8', '--users', '40', '--days', '4'];
    expect(
      await generateCommand.run(
        [...generateArgs, '--bad-fraction', '0.01', '--out', file, '--quiet'],
        generated.io,
      ),
    ).toBe(0);
    const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
    // Independent of the loader: every bad line the generator writes carries an `x-` id.
    const badLines = new Set(
      lines.flatMap((line, index) => (line.includes('"id":"x-') ? [index + 1] : [])),
    );
    expect(badLines.size).toBeGreaterThan(5);

    const { io, out, err } = captureIo(env());
    const code = await ingestCommand.run(
      [file, '--batch-size', '250', '--refusals', refusalsFile, '--quiet'],
      io,
    );
    expect(err()).toBe('');
    expect(code).toBe(1); // some lines were refused
    const summary = out();
    expect(summaryNumber(summary, 'lines')).toBe(lines.length);
    expect(summaryNumber(summary, 'accepted') + summaryNumber(summary, 'refused')).toBe(
      lines.length,
    );
    expect(summaryNumber(summary, 'refused')).toBe(badLines.size);
    expect(summaryNumber(summary, 'published')).toBe(lines.length - badLines.size);

    const refusals = (await readFile(refusalsFile, 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { file: string; line: number; errors: string[] });
    expect(new Set(refusals.map((refusal) => refusal.line))).toEqual(badLines);
    for (const refusal of refusals) {
      expect(refusal.file).toBe(file);
      expect(refusal.errors.length).toBeGreaterThan(0);
    }
    const [first] = refusals;
    expect(summary).toContain(`  ${file}:${first?.line ?? 0}: ${first?.errors.join('; ') ?? ''}\n`);

    // What the file says, canonicalised; duplicates in the file are separate records.
    const expected = lines.flatMap((line, index) => {
      if (badLines.has(index + 1)) return [];
      const result = validateEvent(JSON.parse(line));
      if (!result.ok) throw new Error(`line ${index + 1} should be valid`);
      return [result.event];
    });
    const published = await readPublished({
      brokers: services.kafkaBrokers,
      registryUrl: services.schemaRegistryUrl,
      topics: catalog,
    });
    const canonical = (events: readonly unknown[]): string[] =>
      events.map((event) => JSON.stringify(event)).sort();
    expect(published).toHaveLength(expected.length);
    expect(canonical(published.map((record) => record.event))).toEqual(canonical(expected));

    // Per key, Kafka holds the events in the order of the file (historical ts kept as is).
    const byKey = new Map<string, string[]>();
    for (const record of published) {
      const ids = byKey.get(`${record.topic} ${record.key}`) ?? [];
      ids.push(record.event.id);
      byKey.set(`${record.topic} ${record.key}`, ids);
    }
    const fileByKey = new Map<string, string[]>();
    for (const event of expected) {
      const key = `${catalog.raw[event.type].name} ${eventKey(event)}`;
      fileByKey.set(key, [...(fileByKey.get(key) ?? []), event.id]);
    }
    expect(byKey).toEqual(fileByKey);
    expect(isPartitionOrdered(published)).toBe(true);
  });

  it('reads stdin (-) with CRLF, blank lines and no final newline', async () => {
    const stdin = new PassThrough();
    const { io, out } = captureIo(env(), stdin);
    const event = (id: string) =>
      JSON.stringify({
        type: 'account',
        id,
        tenant: 'stdin_tenant',
        ts: '2021-06-01T00:00:00Z',
        accountId: 'acc-stdin',
      });
    stdin.end(`${event('s-1')}\r\n\r\n{"type":"account"}\r\n${event('s-2')}`);
    expect(await ingestCommand.run(['-', '--quiet'], io)).toBe(1);
    expect(summaryNumber(out(), 'accepted')).toBe(2);
    expect(out()).toContain('<stdin>:3: id: required; tenant: required; ts: required');
    const published = await readPublished({
      brokers: services.kafkaBrokers,
      registryUrl: services.schemaRegistryUrl,
      topics: catalog,
    });
    const mine = published.filter((record) => record.event.tenant === 'stdin_tenant');
    expect(mine.map((record) => [record.event.id, record.event.ts])).toEqual([
      ['s-1', '2021-06-01T00:00:00.000Z'],
      ['s-2', '2021-06-01T00:00:00.000Z'],
    ]);
  });

  it('exits 1 naming the broker when Kafka is unreachable, with nothing published', () => {
    const file = join(dir, 'workload.ndjson');
    const result = spawnSync(
      process.execPath,
      ['services/cli/bin/cs.mjs', 'ingest', file, '--retries', '1', '--quiet'],
      {
        env: { ...process.env, ...env({ KAFKA_BROKERS: '127.0.0.1:1' }) },
        encoding: 'utf8',
        timeout: 50_000,
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Kafka at 127.0.0.1:1 is unreachable after 2 attempts');
    expect(result.stderr).toContain('nothing was published');
    expect(result.stdout).toMatch(/^published: 0$/m);
  });

  it('exits 1 naming the registry when it is unreachable', async () => {
    const registry = 'http://127.0.0.1:1/apis/ccompat/v7';
    const { io, err } = captureIo(env({ SCHEMA_REGISTRY_URL: registry }));
    const code = await ingestCommand.run(
      [join(dir, 'workload.ndjson'), '--retries', '0', '-q'],
      io,
    );
    expect(code).toBe(1);
    expect(err()).toContain(`the schema registry at ${registry} `);
    expect(err()).toContain('ECONNREFUSED');
    expect(err()).toContain('nothing was published');
  });
});

/** Offsets only grow within each partition, as read. */
function isPartitionOrdered(records: readonly PublishedRecord[]): boolean {
  const last = new Map<string, bigint>();
  for (const record of records) {
    const where = `${record.topic}:${record.partition}`;
    const offset = BigInt(record.offset);
    const previous = last.get(where);
    if (previous !== undefined && offset <= previous) return false;
    last.set(where, offset);
  }
  return true;
}
