/**
 * Billing against real Kafka and registry: raw subscription, invoice and ticket records in, derived
 * records out (read committed), signed rows netted.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { testServices } from '@cs/infra/testing';
import { createCodec, createSchemaRegistry, registerSchemas } from '@cs/schemas';
import {
  TENANT,
  billingWorld,
  subscription,
  type BillingWorld,
} from './billing-scenario.test-support.js';
import { eventually, net, type DerivedReader } from './derived-reader.test-support.js';

const worlds: BillingWorld[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((world) => world.cleanup()));
});

async function world(name: string): Promise<BillingWorld> {
  const created = await billingWorld(name);
  worlds.push(created);
  return created;
}

const date = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

/** The account's movements netted, as `kind day before→after` (one entry per net row). */
function movements(reader: DerivedReader, accountId: string): string[] {
  const rows = reader
    .rows('mrr-movement')
    .map((row) => row.record)
    .filter((row) => row.accountId === accountId);
  return [...net(rows)]
    .flatMap(([identity, count]) => {
      const row = JSON.parse(identity) as {
        kind: string;
        day: number;
        mrrBefore: string;
        mrrAfter: string;
      };
      return Array<string>(count).fill(
        `${row.kind} ${date(row.day)} ${row.mrrBefore}→${row.mrrAfter}`,
      );
    })
    .sort((a, b) => a.slice(a.indexOf(' ')).localeCompare(b.slice(b.indexOf(' '))));
}

/** The account's MRR rows netted, as `day #seq mrr`, in (at, seq) order. */
function accountMrr(reader: DerivedReader, accountId: string): string[] {
  const rows = reader
    .rows('account-mrr')
    .map((row) => row.record)
    .filter((row) => row.accountId === accountId);
  return [...net(rows)]
    .map(
      ([identity]) => JSON.parse(identity) as { at: number; day: number; seq: number; mrr: string },
    )
    .sort((a, b) => a.at - b.at || a.seq - b.seq)
    .map((row) => `${date(row.day)} #${row.seq} ${row.mrr}`);
}

const has =
  (count: number) =>
  (list: readonly unknown[]): boolean =>
    list.length >= count;

describe('billing service', () => {
  it('nets start → upgrade → cancel → reactivation into new, expansion, churn, reactivation', async () => {
    const w = await world('billing_life');
    const service = await w.startBilling();
    await w.publish(
      subscription('a1', 'A', '2026-03-01T10:00:00Z', 'start', 100),
      // 22:30 UTC on 31 March is 1 April in Paris: the row's day is the tenant's local date.
      subscription('a2', 'A', '2026-03-31T22:30:00Z', 'change', 250),
      subscription('a3', 'A', '2026-05-01T10:00:00Z', 'cancel'),
      subscription('a4', 'A', '2026-06-01T10:00:00Z', 'start', 80),
      {
        type: 'invoice',
        id: 'i1',
        tenant: TENANT,
        ts: '2026-03-02T00:00:00Z',
        invoiceId: 'inv1',
        accountId: 'A',
        issuedAt: '2026-03-01T23:30:00Z',
        recurringAmount: 100,
      },
      {
        type: 'ticket',
        id: 't1',
        tenant: TENANT,
        ts: '2026-03-03T00:00:00Z',
        ticketId: 'tk1',
        accountId: 'A',
        status: 'open',
        createdAt: '2026-03-03T00:00:00Z',
      },
    );

    expect(await eventually(() => movements(w.reader, 'A'), has(4))).toEqual([
      'new 2026-03-01 0→100',
      'expansion 2026-04-01 100→250',
      'churn 2026-05-01 250→0',
      'reactivation 2026-06-01 0→80',
    ]);
    expect(await eventually(() => accountMrr(w.reader, 'A'), has(4))).toEqual([
      '2026-03-01 #0 100',
      '2026-04-01 #1 250',
      '2026-05-01 #2 0',
      '2026-06-01 #3 80',
    ]);
    const [invoice] = await eventually(() => w.reader.rows('invoice-state'), has(1));
    expect(invoice?.key).toBe(`${TENANT}/A`);
    expect(invoice?.record).toMatchObject({
      invoiceId: 'inv1',
      recurringAmount: '100',
      nonRecurringAmount: '0',
      issuedDay: Date.UTC(2026, 2, 2) / 86_400_000, // 00:30 in Paris
      paidAt: null,
    });
    const [ticket] = await eventually(() => w.reader.rows('ticket-state'), has(1));
    expect(ticket?.record).toMatchObject({ ticketId: 'tk1', status: 'open', closedDay: null });
    expect(service.shell.health().status).toBe('ok');
  });

  it('dead-letters an action it cannot price, and goes on', async () => {
    const w = await world('billing_invalid');
    const service = await w.startBilling();
    // Past the edge's validation (written straight to Kafka): a 5-month billing period.
    const services = testServices();
    const registry = createSchemaRegistry({ host: services.schemaRegistryUrl });
    const codec = createCodec(registry, await registerSchemas(registry, w.catalog));
    const producer = new Kafka({
      clientId: 'billing-test',
      brokers: services.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
    await producer.send({
      topic: w.catalog.raw.subscription.name,
      messages: [
        {
          key: `${TENANT}/D`,
          value: codec.encode('subscription', {
            id: 'bad',
            tenant: TENANT,
            ts: Date.UTC(2026, 2, 1),
            subscriptionId: 's1',
            accountId: 'D',
            action: 'start',
            plan: null,
            billingPeriodMonths: 5,
            amount: '100',
            quantity: 1,
            currency: null,
          }),
        },
      ],
    });
    await producer.disconnect();
    await w.publish(subscription('d1', 'D', '2026-03-02T10:00:00Z', 'start', 30));

    expect(await eventually(() => movements(w.reader, 'D'), has(1))).toEqual([
      'new 2026-03-02 0→30',
    ]);
    expect(service.shell.metrics.registry.format()).toMatch(
      /cs_dlq_total\{[^}]*step="billing\.subscription"[^}]*\} 1/,
    );
  });

  it('corrects an out-of-order action: the net equals the in-order history', async () => {
    const w = await world('billing_late');
    await w.startBilling();
    await w.publish(
      subscription('b1', 'B', '2026-03-01T10:00:00Z', 'start', 100),
      subscription('b2', 'B', '2026-05-01T10:00:00Z', 'cancel'),
    );
    await eventually(() => movements(w.reader, 'B'), has(2));
    // The April upgrade arrives after the May cancel.
    await w.publish(subscription('b3', 'B', '2026-04-01T10:00:00Z', 'change', 200));

    const signs = () => w.reader.rows('mrr-movement').map((row) => row.record.sign);
    await eventually(signs, (list) => list.includes(-1));
    expect(
      await eventually(
        () => movements(w.reader, 'B'),
        (list) => list.length === 3,
      ),
    ).toEqual(['new 2026-03-01 0→100', 'expansion 2026-04-01 100→200', 'churn 2026-05-01 200→0']);
    expect(accountMrr(w.reader, 'B')).toEqual([
      '2026-03-01 #0 100',
      '2026-04-01 #2 200',
      '2026-05-01 #1 0',
    ]);
  });

  it('restores account states from the changelog after a restart and continues', async () => {
    const w = await world('billing_restart');
    const first = await w.startBilling();
    await w.publish(
      subscription('c1', 'C', '2026-03-01T10:00:00Z', 'start', 100),
      subscription('e1', 'E', '2026-03-01T10:00:00Z', 'start', 10),
    );
    await eventually(() => [...movements(w.reader, 'C'), ...movements(w.reader, 'E')], has(2));
    await first.stop();

    const second = await w.startBilling();
    await w.publish(
      // A redelivered action (same id) changes nothing; the next one continues from 100.
      subscription('c1', 'C', '2026-03-01T10:00:00Z', 'start', 100),
      subscription('c2', 'C', '2026-04-01T10:00:00Z', 'change', 150),
      subscription('e2', 'E', '2026-04-01T10:00:00Z', 'cancel'),
    );
    expect(await eventually(() => movements(w.reader, 'C'), has(2))).toEqual([
      'new 2026-03-01 0→100',
      'expansion 2026-04-01 100→150',
    ]);
    expect(await eventually(() => movements(w.reader, 'E'), has(2))).toEqual([
      'new 2026-03-01 0→10',
      'churn 2026-04-01 10→0',
    ]);
    expect(accountMrr(w.reader, 'C')).toEqual(['2026-03-01 #0 100', '2026-04-01 #1 150']);
    expect(second.shell.metrics.registry.format()).toMatch(
      /cs_billing_restores_total\{[^}]*\} [1-9]/,
    );
  });
});
