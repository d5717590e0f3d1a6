// Crash between commit and delivery: the reservation is committed with its ReservationPlaced in the
// outbox, and the process is killed (SIGKILL) before the relay publishes it. After a restart the event
// is delivered, once, and the saga completes.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, internalHttp } from '@airline/testing';
import { launchSystem } from './fixtures/launch.js';
import { openStoppedDatabase } from '../../runtime/databases.js';

const dataDir = mkdtempSync(join(tmpdir(), 'airline-crash-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function launch(paused: string[] = []) {
  const run = await launchSystem({ DATA_DIR: dataDir, PAUSED: paused.join(',') });
  children.push(run.child);
  return run;
}

describe('crash between commit and delivery', () => {
  it('delivers the committed event after a restart, exactly once', async () => {
    // 1. a flight and a first booking, fully processed
    let run = await launch();
    let api = internalHttp(run.urls);
    const flight = await api.post('/flights', { flightCode: 'CR4SH', takeoffDate: '2026-12-24', cost: 10, capacity: 5 });
    const first = await eventually(
      () => api.post('/reservations', { customerId: 1, flightId: flight.body.id, seatQty: 1 }),
      (r) => r.status === 201,
    );
    await eventually(
      () => api.get(`/reservations/${first.body.id}`),
      (r) => r.body.status === 'CONFIRMED',
    );
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);

    // 2. the reservation service commits, but its relay never runs; then the process dies hard
    run = await launch(['reservation']);
    api = internalHttp(run.urls);
    const placed = await api.post('/reservations', { customerId: 1, flightId: flight.body.id, seatQty: 2 });
    expect(placed.status).toBe(201);
    run.child.kill('SIGKILL');
    await run.exited;

    // 3. restart: the outbox is relayed, the saga completes
    run = await launch();
    api = internalHttp(run.urls);
    await eventually(
      () => api.get(`/reservations/${placed.body.id}`),
      (r) => r.body.status === 'CONFIRMED',
      { timeoutMs: 60_000 },
    );
    const seats = await eventually(
      () => api.get(`/flights/${flight.body.id}/seats`),
      (r) => r.body.sold === 3,
    ); // SOLD follows the confirmation
    expect(seats.body).toEqual({ capacity: 5, remainingSeatsCount: 2, held: 0, sold: 3 });
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);

    // 4. once: one ReservationPlaced in the log, handled once by flight
    const log = await openStoppedDatabase(dataDir, 'event-log');
    const events = await log.query<{ type: string; event_id: string }>(
      `SELECT type, event_id FROM event_log WHERE correlation_id = $1 ORDER BY seq`,
      [String(placed.body.id)],
    );
    await log.close();
    expect(events.rows.map((e) => e.type)).toEqual(['ReservationPlaced', 'SeatsReserved', 'PaymentApproved', 'ReservationConfirmed']);
    const flightDb = await openStoppedDatabase(dataDir, 'flight'); // its schema in the services' database (runtime/databases.ts)
    const handled = await flightDb.query(`SELECT 1 FROM inbox WHERE event_id = $1`, [events.rows[0]!.event_id]);
    await flightDb.close();
    expect(handled.rowCount).toBe(1);
  });
});
