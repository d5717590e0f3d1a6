import { UNSTATED_CURRENCY } from '@airline/contracts';
import type { Sql, Tx } from '@airline/database';
import type { LedgerEntry, LedgerKind } from './mileage.js';

type Row = {
  id: string;
  customer_id: number;
  reservation_id: number;
  kind: LedgerKind;
  miles: string;
  fare: string;
  currency: string | null;
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
  currency: r.currency ?? UNSTATED_CURRENCY,
  rateBasisPoints: r.rate_basis_points,
  eventId: r.event_id,
  occurredAt: new Date(r.occurred_at).toISOString(),
});

/** Writes an entry unless the reservation already has one of that kind. */
export function recordEntry(tx: Tx, e: LedgerEntry): void {
  tx.enqueue(
    `INSERT INTO mileage_ledger (customer_id, reservation_id, kind, miles, fare, currency, rate_basis_points, event_id, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (reservation_id, kind) DO NOTHING`,
    [e.customerId, e.reservationId, e.kind, e.miles, e.fare, e.currency, e.rateBasisPoints, e.eventId, e.occurredAt],
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
  const r = await tx.query<Row>('SELECT * FROM mileage_ledger WHERE customer_id = $1 AND id > $2 ORDER BY id LIMIT $3', [
    customerId,
    page.afterId,
    page.limit,
  ]);
  return r.rows.map(toEntry);
}

/** The columns the accounts may be sorted by, by their names in the view. */
export const ACCOUNT_SORT_COLUMNS = { customerId: 'customer_id', balance: 'balance', accrued: 'accrued', reversed: 'reversed' } as const;
export type AccountSortField = keyof typeof ACCOUNT_SORT_COLUMNS;

type AccountRow = { customer_id: number; accrued: string; reversed: string; balance: string; total: number };
const ACCOUNTS = `SELECT customer_id,
    coalesce(sum(miles) FILTER (WHERE miles >= 0), 0) AS accrued,
    coalesce(-sum(miles) FILTER (WHERE miles < 0), 0) AS reversed,
    sum(miles) AS balance
  FROM mileage_ledger GROUP BY customer_id`;

/** Every customer with a ledger, as accounts: a page of them in the order asked, and how many there are. */
export async function accountPage(tx: Sql, page: { offset: number; limit: number; sort: AccountSortField; descending: boolean }) {
  const direction = page.descending ? 'DESC' : 'ASC';
  const r = await tx.query<AccountRow>(
    `SELECT a.*, count(*) OVER ()::int AS total FROM (${ACCOUNTS}) a ORDER BY ${ACCOUNT_SORT_COLUMNS[page.sort]} ${direction}, customer_id ${direction} OFFSET $1 LIMIT $2`,
    [page.offset, page.limit],
  );
  // past the last page the window has no row to count on: count apart
  const total =
    r.rows[0]?.total ??
    (page.offset === 0
      ? 0
      : (await tx.query<{ n: number }>('SELECT count(DISTINCT customer_id)::int AS n FROM mileage_ledger')).rows[0]!.n);
  return {
    accounts: r.rows.map((x) => ({
      customerId: x.customer_id,
      balance: Number(x.balance),
      accrued: Number(x.accrued),
      reversed: Number(x.reversed),
    })),
    total,
  };
}

/** A customer's ledger entries: a page of them, oldest first, and how many there are. */
export async function entryPage(tx: Sql, customerId: number, page: { offset: number; limit: number; descending: boolean }) {
  const direction = page.descending ? 'DESC' : 'ASC';
  const [rows, total] = await Promise.all([
    tx.query<Row>(`SELECT * FROM mileage_ledger WHERE customer_id = $1 ORDER BY id ${direction} OFFSET $2 LIMIT $3`, [
      customerId,
      page.offset,
      page.limit,
    ]),
    tx.query<{ n: number }>('SELECT count(*)::int AS n FROM mileage_ledger WHERE customer_id = $1', [customerId]),
  ]);
  return { entries: rows.rows.map(toEntry), total: total.rows[0]!.n };
}

/** Accounts in customer order after a customer id (plain JSON paging). */
export async function listAccounts(tx: Sql, page: { afterCustomerId: number; limit: number }) {
  const r = await tx.query<AccountRow>(`SELECT * FROM (${ACCOUNTS}) a WHERE customer_id > $1 ORDER BY customer_id LIMIT $2`, [
    page.afterCustomerId,
    page.limit,
  ]);
  return r.rows.map((x) => ({
    customerId: x.customer_id,
    balance: Number(x.balance),
    accrued: Number(x.accrued),
    reversed: Number(x.reversed),
  }));
}
