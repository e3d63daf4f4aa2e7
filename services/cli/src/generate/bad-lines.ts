import type { TenantStream } from './tenant-stream.js';

export type BadLineKind = 'invalid-json' | 'missing-field' | 'negative-amount' | 'zero-count';

/**
 * A line the loader must refuse (and report by line number) without losing its neighbours. Each
 * uses a fresh id, so refusing it can never shadow a valid event with the same id.
 */
export function renderBadLine(
  stream: TenantStream,
  ts: number,
): { kind: BadLineKind; line: string } {
  const { rng } = stream;
  const common = `"id":"${stream.nextId('x-')}","tenant":"${stream.name}","ts":"${stream.iso.format(ts)}"`;
  switch (rng.int(6)) {
    case 0:
      return {
        kind: 'invalid-json',
        line: `{"type":"usage",${common},"accountId":"acc-1","userId":`,
      };
    case 1:
      return { kind: 'invalid-json', line: `{"type":"usage",${common},"accountId":"acc-1"}}` };
    case 2:
      return { kind: 'missing-field', line: `{"type":"usage",${common},"accountId":"acc-1"}` };
    case 3:
      return {
        kind: 'missing-field',
        line: `{"type":"invoice",${common},"invoiceId":"inv-bad","accountId":"acc-1","recurringAmount":"10.00","currency":"USD"}`,
      };
    case 4:
      return {
        kind: 'negative-amount',
        line: `{"type":"subscription",${common},"subscriptionId":"sub-bad","accountId":"acc-1","action":"start","plan":"team","billingPeriodMonths":1,"amount":"-79.50","quantity":1,"currency":"USD"}`,
      };
    default:
      return {
        kind: 'zero-count',
        line: `{"type":"usage",${common},"accountId":"acc-1","userId":"usr-1","product":"crm","module":"deals","feature":"create_deal","count":0}`,
      };
  }
}
