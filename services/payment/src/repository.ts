import { UNSTATED_CURRENCY } from '@airline/contracts';
import { gatheredRows, perTransaction, type Sql, type Tx } from '@airline/database';
import type { Payment, PaymentStatus } from './payment.js';

export type PaymentRow = {
  id: number;
  reservation_id: number;
  customer_id: number;
  amount: number;
  /** ISO 4217 of amount; null for rows from before it was kept (their events stated none: KRW). */
  currency: string | null;
  /** The processor's token (null for a payment voided before its seats were held); never a card number. */
  payment_method: string | null;
  card_last4: string;
  card_brand: string;
  status: PaymentStatus;
  cancel_requested: boolean;
  attempts: number;
  contradictions: number;
  decline_reason: string | null;
  authorization_code: string | null;
  last_error: string | null;
  /** The trace its processor calls join (tracing on only). */
  trace_parent: string | null;
  created_at: Date;
  updated_at: Date;
};

export const toPayment = (r: PaymentRow): Payment => ({
  id: r.id,
  reservationId: r.reservation_id,
  customerId: r.customer_id,
  amount: r.amount,
  status: r.status,
  cancelRequested: r.cancel_requested,
  attempts: r.attempts,
  authorizationCode: r.authorization_code,
  contradictions: r.contradictions,
});

export const toView = (r: PaymentRow) => ({
  id: r.id,
  reservationId: r.reservation_id,
  customerId: r.customer_id,
  cost: r.amount,
  currency: r.currency ?? UNSTATED_CURRENCY,
  status: r.status,
  declineReason: r.decline_reason,
  authorizationCode: r.authorization_code,
  attempts: r.attempts,
  lastError: r.last_error,
  cardLast4: r.card_last4,
  cardBrand: r.card_brand,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

type NewPayment = {
  reservationId: number;
  customerId: number;
  amount: number;
  currency?: string;
  paymentMethod: string;
  cardLast4: string;
  cardBrand: string;
  chargeBefore?: string;
  traceParent?: string;
};
const paymentsToOpen = gatheredRows<NewPayment>(
  `INSERT INTO payments (reservation_id, customer_id, amount, currency, payment_method, card_last4, card_brand, status, charge_before, trace_parent)
   SELECT x."reservationId", x."customerId", x.amount, x.currency, x."paymentMethod", x."cardLast4", x."cardBrand", 'PENDING', x."chargeBefore", x."traceParent"
   FROM jsonb_to_recordset($1::jsonb) AS x("reservationId" integer, "customerId" integer, amount integer, currency text, "paymentMethod" text, "cardLast4" text, "cardBrand" text, "chargeBefore" timestamptz, "traceParent" text)
   ON CONFLICT (reservation_id) DO NOTHING`,
);

/**
 * A payment to make for held seats; nothing when one exists (redelivery, or a cancel that came first).
 * Written with the transaction's other new payments, before COMMIT or before lockPaymentOfReservation.
 */
export function openPayment(tx: Tx, p: NewPayment): void {
  paymentsToOpen.add(tx, p);
}

/**
 * Payments to charge at once, opened and claimed (CHARGING, leased to this replica, first attempt) in the
 * transaction that records the event asking for them, so the worker is handed the rows after COMMIT and
 * needs no claim of its own. A payment whose hold has already ended opens PENDING (never charged); a
 * reservation that has a payment already (a redelivery, a cancel that came first) opens nothing.
 */
const toCharge = perTransaction(() => ({
  gathered: new Map<number, NewPayment>(),
  claim: { now: new Date(0), leaseUntil: new Date(0) },
  opened: [] as PaymentRow[],
}));

export function openPaymentToCharge(tx: Tx, p: NewPayment, claim: { now: Date; leaseUntil: Date }): void {
  const state = toCharge.of(tx);
  if (state.gathered.size === 0) tx.beforeCommit(() => flushPaymentsToCharge(tx));
  state.gathered.set(p.reservationId, p);
  state.claim = claim;
}

async function flushPaymentsToCharge(tx: Tx): Promise<void> {
  const state = toCharge.of(tx);
  if (state.gathered.size === 0) return;
  const rows = [...state.gathered.values()];
  state.gathered.clear();
  const due = `(x."chargeBefore" IS NULL OR x."chargeBefore" > $2::timestamptz)`;
  const r = await tx.query<PaymentRow>(
    `INSERT INTO payments (reservation_id, customer_id, amount, currency, payment_method, card_last4, card_brand, charge_before, trace_parent, status, attempts, lease_until)
     SELECT x."reservationId", x."customerId", x.amount, x.currency, x."paymentMethod", x."cardLast4", x."cardBrand", x."chargeBefore", x."traceParent",
       CASE WHEN ${due} THEN 'CHARGING' ELSE 'PENDING' END, CASE WHEN ${due} THEN 1 ELSE 0 END, CASE WHEN ${due} THEN $3::timestamptz END
     FROM jsonb_to_recordset($1::jsonb) AS x("reservationId" integer, "customerId" integer, amount integer, currency text, "paymentMethod" text, "cardLast4" text, "cardBrand" text, "chargeBefore" timestamptz, "traceParent" text)
     ON CONFLICT (reservation_id) DO NOTHING
     RETURNING *`,
    [JSON.stringify(rows), state.claim.now.toISOString(), state.claim.leaseUntil.toISOString()],
  );
  state.opened.push(...r.rows.filter((row) => row.status === 'CHARGING').sort((a, b) => Number(a.id) - Number(b.id)));
}

/** The payments this transaction opened and claimed to charge (complete once it committed): for the worker. */
export function paymentsOpenedToCharge(tx: Tx): PaymentRow[] {
  return toCharge.of(tx).opened;
}

/** Takes back a payment this transaction opened to charge (cancelled in the same transaction): no worker will charge it. */
export function withdrawOpenedPayment(tx: Tx, id: number): boolean {
  const opened = toCharge.of(tx).opened;
  const i = opened.findIndex((row) => Number(row.id) === Number(id));
  if (i < 0) return false;
  opened.splice(i, 1);
  return true;
}

/** The payment of a reservation, locked (the payments opened so far in this transaction included). */
export async function lockPaymentOfReservation(tx: Tx, reservationId: number) {
  paymentsToOpen.flush(tx);
  await flushPaymentsToCharge(tx);
  return findPaymentForReservation(tx, reservationId, true);
}

export async function findPaymentForReservation(tx: Sql, reservationId: number, forUpdate = false) {
  const r = await tx.query<PaymentRow>(`SELECT * FROM payments WHERE reservation_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [
    reservationId,
  ]);
  return r.rows[0];
}

/** A cancel that overtook SeatsReserved: a VOIDED row makes the later SeatsReserved do nothing. */
export function insertVoidedPayment(tx: Tx, p: { reservationId: number; customerId: number; amount: number; currency?: string }) {
  tx.enqueue(
    `INSERT INTO payments (reservation_id, customer_id, amount, currency, status) VALUES ($1, $2, $3, $4, 'VOIDED') ON CONFLICT (reservation_id) DO NOTHING`,
    [p.reservationId, p.customerId, p.amount, p.currency ?? null],
  );
}

export type PaymentChange = {
  status?: PaymentStatus;
  cancelRequested?: boolean;
  nextAttemptAt?: Date;
  declineReason?: string;
  authorizationCode?: string;
  lastError?: string | null;
  /** Contradicting refund answers so far (0 again when a person asks for the refund once more). */
  contradictions?: number;
  /** The trace the next processor call joins (a refund: the cancellation's). */
  traceParent?: string;
};

export function updatePayment(tx: Tx, id: number, change: PaymentChange) {
  updatePayments(tx, [{ id, change }]);
}

/** Changes several payments in one statement (each at most once): what a change leaves out stays as it is. */
export function updatePayments(tx: Tx, changes: Array<{ id: number; change: PaymentChange }>) {
  if (changes.length === 0) return;
  tx.enqueue(
    `UPDATE payments p SET
       status = coalesce(x.status, p.status),
       cancel_requested = coalesce(x."cancelRequested", p.cancel_requested),
       next_attempt_at = coalesce(x."nextAttemptAt", p.next_attempt_at),
       decline_reason = coalesce(x."declineReason", p.decline_reason),
       authorization_code = coalesce(x."authorizationCode", p.authorization_code),
       contradictions = coalesce(x.contradictions, p.contradictions),
       trace_parent = coalesce(x."traceParent", p.trace_parent),
       last_error = CASE WHEN x."setLastError" THEN x."lastError" ELSE p.last_error END,
       lease_until = NULL,
       updated_at = now()
     FROM jsonb_to_recordset($1::jsonb) AS x(id integer, status text, "cancelRequested" boolean, "nextAttemptAt" timestamptz, "declineReason" text,
       "authorizationCode" text, contradictions integer, "traceParent" text, "setLastError" boolean, "lastError" text)
     WHERE p.id = x.id`,
    [JSON.stringify(changes.map(({ id, change }) => ({ id, ...change, setLastError: change.lastError !== undefined })))],
  );
}

/**
 * Claims due work for this worker: payments to charge (while their hold lasts) or refund whose time has
 * come, and calls whose lease ran out (their worker died). SKIP LOCKED lets replicas claim disjoint batches.
 * In payment order (UPDATE … RETURNING keeps none): a pass's events then follow the order of the bookings.
 */
export async function claimDuePayments(tx: Sql, now: Date, leaseMs: number, limit: number): Promise<PaymentRow[]> {
  const r = await tx.query<PaymentRow>(
    `UPDATE payments SET
       status = CASE WHEN status IN ('PENDING', 'CHARGING') THEN 'CHARGING' ELSE 'REFUNDING' END,
       lease_until = $2, attempts = attempts + 1, updated_at = now()
     WHERE id IN (
       SELECT id FROM payments
       WHERE (status = 'PENDING' AND next_attempt_at <= $1 AND (charge_before IS NULL OR charge_before > $1))
          OR (status = 'REFUND_PENDING' AND next_attempt_at <= $1)
          OR (status IN ('CHARGING', 'REFUNDING') AND lease_until <= $1)
       ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [now.toISOString(), new Date(now.getTime() + leaseMs).toISOString(), limit],
  );
  return r.rows.sort((a, b) => Number(a.id) - Number(b.id));
}

/** Several payments by id, locked in id order when forUpdate. */
export async function findPayments(tx: Sql, ids: number[], forUpdate = false): Promise<Map<number, PaymentRow>> {
  const r = await tx.query<PaymentRow>(`SELECT * FROM payments WHERE id = ANY($1::bigint[]) ORDER BY id${forUpdate ? ' FOR UPDATE' : ''}`, [
    ids,
  ]);
  return new Map(r.rows.map((row) => [Number(row.id), row]));
}

export async function findPayment(tx: Sql, id: number) {
  const r = await tx.query<PaymentRow>('SELECT * FROM payments WHERE id = $1', [id]);
  return r.rows[0];
}

export async function listPayments(
  tx: Sql,
  f: { customerId?: number; reservationId?: number; status?: PaymentStatus; limit: number; afterId: number },
) {
  const r = await tx.query<PaymentRow>(
    `SELECT * FROM payments WHERE id > $1 AND ($2::int IS NULL OR customer_id = $2) AND ($3::int IS NULL OR reservation_id = $3) AND ($5::text IS NULL OR status = $5)
     ORDER BY id LIMIT $4`,
    [f.afterId, f.customerId ?? null, f.reservationId ?? null, f.limit, f.status ?? null],
  );
  return r.rows;
}

/** The columns a page of payments may be sorted by, by their names in the view. */
export const PAYMENT_SORT_COLUMNS = {
  id: 'id',
  reservationId: 'reservation_id',
  customerId: 'customer_id',
  cost: 'amount',
  status: 'status',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
} as const;
export type PaymentSortField = keyof typeof PAYMENT_SORT_COLUMNS;

/** One page of the payments a filter selects, and how many it selects in all (HAL paging). */
export async function paymentPage(
  tx: Sql,
  f: { customerId?: number; reservationId?: number; status?: PaymentStatus },
  page: { offset: number; limit: number; sort: PaymentSortField; descending: boolean },
): Promise<{ rows: PaymentRow[]; total: number }> {
  const where = `($1::int IS NULL OR customer_id = $1) AND ($2::int IS NULL OR reservation_id = $2) AND ($3::text IS NULL OR status = $3)`;
  const args = [f.customerId ?? null, f.reservationId ?? null, f.status ?? null];
  const direction = page.descending ? 'DESC' : 'ASC';
  const [rows, total] = await Promise.all([
    tx.query<PaymentRow>(
      `SELECT * FROM payments WHERE ${where} ORDER BY ${PAYMENT_SORT_COLUMNS[page.sort]} ${direction}, id ${direction} OFFSET $4 LIMIT $5`,
      [...args, page.offset, page.limit],
    ),
    tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM payments WHERE ${where}`, args),
  ]);
  return { rows: rows.rows, total: total.rows[0]!.n };
}

/** Parked refunds: what the airline_payments_refund_failed metric counts (and an alert watches). */
export async function countRefundsFailed(db: Sql): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM payments WHERE status = 'REFUND_FAILED'`);
  return r.rows[0]!.n;
}

/** A person asks for a parked refund again: due now, with its count of contradictions back at 0. */
export async function retryFailedRefund(tx: Sql, id: number): Promise<PaymentRow | undefined> {
  const r = await tx.query<PaymentRow>(
    `UPDATE payments SET status = 'REFUND_PENDING', contradictions = 0, next_attempt_at = now(), updated_at = now()
     WHERE id = $1 AND status = 'REFUND_FAILED' RETURNING *`,
    [id],
  );
  return r.rows[0];
}
