import type { Sql, Tx } from '@airline/database';
import type { LedgerEntry, LedgerKind } from './mileage.js';

type Row = {
  id: string;
  customer_id: number;
  reservation_id: number;
  kind: LedgerKind;
  miles: string;
  fare: string;
  rate_basis_points: number;
  event_id: string;
  occurred_at: Date | string;
};

const toEntry = (r: Row): LedgerEntry & { id: number } => ({
  id: Number(r.id),
  customerId: r.customer_id,
  reservationId: r.reservation_id,
  kind: r.kind,
  miles: Number(r.miles),
  fare: Number(r.fare),
  rateBasisPoints: r.rate_basis_points,
  eventId: r.event_id,
  occurredAt: new Date(r.occurred_at).toISOString(),
});

/** Writes an entry unless the reservation already has one of that kind. */
export function recordEntry(tx: Tx, e: LedgerEntry): void {
  tx.enqueue(
    `INSERT INTO mileage_ledger (customer_id, reservation_id, kind, miles, fare, rate_basis_points, event_id, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (reservation_id, kind) DO NOTHING`,
    [e.customerId, e.reservationId, e.kind, e.miles, e.fare, e.rateBasisPoints, e.eventId, e.occurredAt],
  );
}

export async function findAccrual(tx: Sql, reservationId: number) {
  const r = await tx.query<Row>(`SELECT * FROM mileage_ledger WHERE reservation_id = $1 AND kind = 'ACCRUAL'`, [reservationId]);
  return r.rows[0] && toEntry(r.rows[0]);
}

/** Sum of miles per kind for a customer (one row per kind they have). */
export async function milesByKind(tx: Sql, customerId: number): Promise<Array<{ kind: LedgerKind; miles: number }>> {
  const r = await tx.query<{ kind: LedgerKind; miles: string }>(
    'SELECT kind, sum(miles)::text AS miles FROM mileage_ledger WHERE customer_id = $1 GROUP BY kind',
    [customerId],
  );
  return r.rows.map((x) => ({ kind: x.kind, miles: Number(x.miles) }));
}

export async function listEntries(tx: Sql, customerId: number, page: { afterId: number; limit: number }) {
  const r = await tx.query<Row>('SELECT * FROM mileage_ledger WHERE customer_id = $1 AND id > $2 ORDER BY id LIMIT $3', [customerId, page.afterId, page.limit]);
  return r.rows.map(toEntry);
}
