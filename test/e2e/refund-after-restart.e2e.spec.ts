// A refund after a restart is a refund (issue "Trust", part 3). The processor sandbox keeps its ledger in
// its own database, so a charge approved before a restart (graceful, or kill -9 in the middle of a
// flight cancellation) is refunded after it, exactly once, and the payment ends REFUNDED with its
// PaymentRefunded — never VOIDED, which is what a processor that forgot its charges used to make of it.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase } from '@airline/database';
import { eventually, http, internalHttp } from '@airline/testing';
import { FREE_PORTS, startEmbeddedSystem, type EmbeddedSystem } from '../../runtime/system.js';
import { launchSystem } from './fixtures/launch.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const freshDir = (label: string) => {
  const d = mkdtempSync(join(tmpdir(), `airline-${label}-`));
  dirs.push(d);
  return d;
};

/** What the stored data says once the system is stopped: the processor's ledger and the event log. */
async function afterTheFact(dataDir: string, reservationIds: number[]) {
  const ledgerDb = await createPgliteDatabase(join(dataDir, 'payment-processor'));
  const ledger = (await ledgerDb.query<{ reference: string; status: string }>(`SELECT reference, status FROM charges ORDER BY reference`))
    .rows;
  await ledgerDb.close();
  const logDb = await createPgliteDatabase(join(dataDir, 'event-log'));
  const refunds = (
    await logDb.query<{ correlation_id: string; n: number }>(
      `SELECT correlation_id, count(*)::int AS n FROM event_log WHERE type = 'PaymentRefunded' AND correlation_id = ANY($1::text[]) GROUP BY 1`,
      [reservationIds.map(String)],
    )
  ).rows;
  await logDb.close();
  return { ledger, refundsPerReservation: Object.fromEntries(refunds.map((r) => [Number(r.correlation_id), r.n])) };
}

describe('a paid booking cancelled after a graceful restart', () => {
  it('is refunded (REFUNDED, one PaymentRefunded, the ledger shows the charge refunded), not voided', async () => {
    const dataDir = freshDir('refund-restart');
    let system: EmbeddedSystem = await startEmbeddedSystem({ dataDir, ports: FREE_PORTS, busPollMs: 50 });
    let api = internalHttp(system.urls);
    const flight = (await api.post('/flights', { flightCode: 'RST1', takeoffDate: '2026-12-24', cost: 500, capacity: 4 })).body;
    await eventually(
      () => system.services.reservation.db.query('SELECT 1 FROM flight_catalog WHERE flight_id = $1', [flight.id]),
      (q) => q.rowCount === 1,
    );
    const booked = await api.post('/reservations', { customerId: 5, flightId: flight.id, seatQty: 2 });
    await eventually(
      () => api.get(`/payments?reservationId=${booked.body.id}`),
      (r) => r.body[0]?.status === 'APPROVED',
    );
    await system.stop();

    system = await startEmbeddedSystem({ dataDir, ports: FREE_PORTS, busPollMs: 50 });
    try {
      api = internalHttp(system.urls);
      expect((await api.post(`/reservations/${booked.body.id}/cancel`)).body).toMatchObject({
        status: 'CANCELED',
        cancelReason: 'CUSTOMER',
      });
      const payment = await eventually(
        () => api.get(`/payments?reservationId=${booked.body.id}`),
        (r) => ['REFUNDED', 'VOIDED', 'REFUND_FAILED'].includes(r.body[0]?.status),
      );
      expect(payment.body[0]).toMatchObject({ status: 'REFUNDED', cost: 1000 });
      expect((await http(system.urls.processor).get(`/v1/charges/reservation-${booked.body.id}`)).body).toMatchObject({
        status: 'refunded',
        amount: 1000,
      });
    } finally {
      await system.stop();
    }
    const { ledger, refundsPerReservation } = await afterTheFact(dataDir, [booked.body.id]);
    expect(ledger).toEqual([{ reference: `reservation-${booked.body.id}`, status: 'refunded' }]);
    expect(refundsPerReservation).toEqual({ [booked.body.id]: 1 });
  });
});

describe('staff cancel a flight of paid bookings, and the process is killed (kill -9) 80 ms later', () => {
  const N = 20;
  it(`every one of the ${N} paid bookings ends REFUNDED, once, as the ledger shows`, async () => {
    const dataDir = freshDir('refund-kill');
    let run = await launchSystem({ DATA_DIR: dataDir });
    children.push(run.child);
    let api = internalHttp(run.urls);
    const flight = (await api.post('/flights', { flightCode: 'KIL9', takeoffDate: '2026-12-24', cost: 100, capacity: N })).body;
    const booked: number[] = [];
    for (let i = 0; i < N; i++) {
      const r = await eventually(
        () => api.post('/reservations', { customerId: 100 + i, flightId: flight.id, seatQty: 1 }),
        (x) => x.status === 201,
      );
      booked.push(r.body.id);
    }
    await eventually(
      () => api.get<Array<{ status: string }>>(`/payments?limit=1000`),
      (r) => r.body.filter((p) => p.status === 'APPROVED').length === N,
      { timeoutMs: 60_000 },
    );
    expect((await api.post(`/flights/${flight.id}/cancel`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 80));
    run.child.kill('SIGKILL');
    await run.exited;

    run = await launchSystem({ DATA_DIR: dataDir });
    children.push(run.child);
    api = internalHttp(run.urls);
    const settled = await eventually(
      () => api.get<Array<{ reservationId: number; status: string }>>(`/payments?limit=1000`),
      (r) => r.body.length === N && r.body.every((p) => ['REFUNDED', 'VOIDED', 'REFUND_FAILED'].includes(p.status)),
      { timeoutMs: 90_000, everyMs: 250 },
    );
    expect(settled.body.map((p) => p.status)).toEqual(Array(N).fill('REFUNDED'));
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);

    const { ledger, refundsPerReservation } = await afterTheFact(dataDir, booked);
    expect(ledger.map((c) => c.status)).toEqual(Array(N).fill('refunded'));
    expect(Object.values(refundsPerReservation)).toEqual(Array(N).fill(1));
  });
});
