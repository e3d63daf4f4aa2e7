import { Kafka, logLevel } from 'kafkajs';
import { errorMessage } from '@cs/runtime';

export interface ComponentStatus {
  name: string;
  address: string;
  state: 'up' | 'degraded' | 'down';
  detail: string;
}

export interface StatusTargets {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  clickhouseUrl: string;
  /** Services with an HTTP health endpoint answering JSON `{ status, reasons }` (or any 200). */
  services: Array<{ name: string; healthUrl: string }>;
}

/** A URL without its credentials (for display and fetch), and those as a Basic header. */
function splitCredentials(raw: string): { url: string; headers: Record<string, string> } {
  const url = new URL(raw);
  if (url.username === '' && url.password === '') return { url: raw, headers: {} };
  const basic = Buffer.from(
    `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
  ).toString('base64');
  url.username = '';
  url.password = '';
  return { url: url.toString(), headers: { Authorization: `Basic ${basic}` } };
}

async function httpCheck(name: string, rawUrl: string): Promise<ComponentStatus> {
  const { url, headers } = splitCredentials(rawUrl);
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
    const text = await response.text();
    let status: unknown;
    let reasons: unknown;
    try {
      ({ status, reasons } = JSON.parse(text) as { status?: unknown; reasons?: unknown });
    } catch {
      status = undefined; // not JSON (e.g. ClickHouse's "Ok."): the status code says it all
    }
    const detail =
      Array.isArray(reasons) && reasons.length > 0
        ? reasons.map(String).join('; ')
        : text.trim().slice(0, 80);
    if (!response.ok)
      return { name, address: url, state: 'down', detail: `HTTP ${response.status} ${detail}` };
    return { name, address: url, state: status === 'degraded' ? 'degraded' : 'up', detail };
  } catch (error: unknown) {
    return { name, address: url, state: 'down', detail: errorMessage(error) };
  }
}

async function kafkaCheck(brokers: string[]): Promise<ComponentStatus> {
  const admin = new Kafka({
    clientId: 'cs-status',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 2000,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return {
      name: 'kafka',
      address: brokers.join(','),
      state: 'up',
      detail: `${cluster.brokers.length} broker(s), controller ${String(cluster.controller)}`,
    };
  } catch (error: unknown) {
    return {
      name: 'kafka',
      address: brokers.join(','),
      state: 'down',
      detail: errorMessage(error),
    };
  } finally {
    await admin.disconnect();
  }
}

/** Every component's state, checked in parallel. */
export function checkComponents(targets: StatusTargets): Promise<ComponentStatus[]> {
  return Promise.all([
    kafkaCheck(targets.kafkaBrokers),
    httpCheck('schema registry', `${targets.schemaRegistryUrl}/config`),
    httpCheck('clickhouse', `${targets.clickhouseUrl.replace(/\/$/, '')}/ping`),
    ...targets.services.map((service) => httpCheck(service.name, service.healthUrl)),
  ]);
}
