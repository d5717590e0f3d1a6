import { UNSTATED_CURRENCY } from '@airline/contracts';
import { rowKind, writeKind, type Sql, type Tx, type UnitOfWork } from '@airline/database';
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
  /** When the seats' hold ends: no charge starts from then on (null: no hold, the seeds' shape). */
  charge_before: Date | null;
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

/** A payment to make for held seats, PENDING (for the worker's passes); nothing when one exists. */
export function openPayment(tx: Tx, p: NewPayment): void {
  tx.enqueue(
    `INSERT INTO payments (reservation_id, customer_id, amount, currency, payment_method, card_last4, card_brand, status, charge_before, trace_parent)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'PENDING', $8, $9)
     ON CONFLICT (reservation_id) DO NOTHING`,
    [
      p.reservationId,
      p.customerId,
      p.amount,
      p.currency ?? null,
      p.paymentMethod,
      p.cardLast4,
      p.cardBrand,
      p.chargeBefore ?? null,
      p.traceParent ?? null,
    ],
  );
}

/**
 * A new payment staged in a unit of work: one to charge at once (opened CHARGING, leased to this
 * replica's worker, first attempt, unless its hold has already ended: then PENDING, never charged), or a
 * VOIDED one (a cancel that overtook SeatsReserved: the later SeatsReserved then opens nothing).
 */
type StagedPayment =
  | (Omit<NewPayment, 'currency'> & { voided?: false; now: string; leaseUntil: string })
  | { voided: true; reservationId: number; customerId: number; amount: number; currency: string | null };

/** The payments this unit of work opened and claimed to charge, by reservation (known once it flushed). */
const openedToCharge = rowKind<number, PaymentRow>('payments opened to charge', async () => []);

const due = `(x."chargeBefore" IS NULL OR x."chargeBefore" > x.now)`;
/** All of a unit of work's new payments go as one statement; a reservation that has a payment already opens nothing. */
const newPayments = writeKind<StagedPayment>(
  'new payments',
  `INSERT INTO payments (reservation_id, customer_id, amount, currency, payment_method, card_last4, card_brand, charge_before, trace_parent, status, attempts, lease_until)
   SELECT x."reservationId", x."customerId", x.amount, x.currency, x."paymentMethod", coalesce(x."cardLast4", ''), coalesce(x."cardBrand", ''),
     x."chargeBefore", x."traceParent", CASE WHEN x.voided THEN 'VOIDED' WHEN ${due} THEN 'CHARGING' ELSE 'PENDING' END,
     CASE WHEN x.voided THEN 0 WHEN ${due} THEN 1 ELSE 0 END,
     CASE WHEN x.voided THEN NULL WHEN ${due} THEN x."leaseUntil" END
   FROM jsonb_to_recordset($1::jsonb) AS x("reservationId" integer, "customerId" integer, amount integer, currency text, "paymentMethod" text,
     "cardLast4" text, "cardBrand" text, "chargeBefore" timestamptz, "traceParent" text, voided boolean, now timestamptz, "leaseUntil" timestamptz)
   ON CONFLICT (reservation_id) DO NOTHING
   RETURNING *`,
  (p) => p.reservationId,
  (uow, staged, rows) =>
    uow.record(
      openedToCharge,
      staged.map((p) => p.reservationId),
      (rows as PaymentRow[]).filter((row) => row.status === 'CHARGING').map((row) => [row.reservation_id, row]),
    ),
);

/**
 * Stages a payment to charge at once, claimed in the unit of work that records the event asking for it,
 * so the worker is handed the row after COMMIT (paymentOpenedToCharge) and needs no claim of its own.
 * Nothing when this unit of work has a new payment for the reservation already (a cancel that came first
 * in the same transaction); a reservation with a payment in the table (a redelivery, an earlier cancel)
 * opens nothing at flush.
 */
export function stagePaymentToCharge(uow: UnitOfWork, p: NewPayment, claim: { now: Date; leaseUntil: Date }): void {
  if (uow.isStaged(newPayments, p.reservationId)) return;
  uow.stage(newPayments, { ...p, currency: p.currency ?? null, now: claim.now.toISOString(), leaseUntil: claim.leaseUntil.toISOString() });
}

/** Whether this unit of work opens a payment for the reservation (not flushed yet: nobody has called the processor). */
export const opensPayment = (uow: UnitOfWork, reservationId: number) => uow.isStaged(newPayments, reservationId);

/**
 * Stages a VOIDED payment for the reservation: a cancel that came before SeatsReserved, or one that came
 * in the same unit of work (it replaces the payment to charge, which is then never opened).
 */
export function stageVoidedPayment(
  uow: UnitOfWork,
  p: { reservationId: number; customerId: number; amount: number; currency?: string },
): void {
  uow.stage(newPayments, {
    voided: true,
    reservationId: p.reservationId,
    customerId: p.customerId,
    amount: p.amount,
    currency: p.currency ?? null,
  });
}

/** The payment this unit of work opened and claimed to charge for the reservation (complete once it committed): for the worker. */
export const paymentOpenedToCharge = (uow: UnitOfWork, reservationId: number) => uow.get(openedToCharge, reservationId);

/** Payments locked by reservation for a command: read FOR UPDATE once per unit of work. */
const lockedPayments = rowKind<number, PaymentRow>('payments by reservation', async (tx, ids) => {
  const r = await tx.query<PaymentRow>('SELECT * FROM payments WHERE reservation_id = ANY($1::int[]) ORDER BY id FOR UPDATE', [ids]);
  return r.rows.map((row) => [row.reservation_id, row]);
});

/** The payment of a reservation, locked in this unit of work (undefined: none in the table). */
export const lockPaymentOfReservation = (uow: UnitOfWork, reservationId: number) => uow.get(lockedPayments, reservationId);

/** Stages a change of a payment locked in this unit of work (sent at flush), and the unit of work knows the row as changed. */
export function changeLockedPayment(uow: UnitOfWork, row: PaymentRow, change: PaymentChange) {
  stagePaymentChange(uow, row.id, change);
  uow.remember(lockedPayments, row.reservation_id, {
    ...row,
    status: change.status ?? row.status,
    cancel_requested: change.cancelRequested ?? row.cancel_requested,
  });
}

/** Payments locked by id for the answers to record: read FOR UPDATE, in id order, once per unit of work. */
const lockedPaymentsById = rowKind<number, PaymentRow>('payments by id', async (tx, ids) => {
  const r = await tx.query<PaymentRow>('SELECT * FROM payments WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE', [ids]);
  return r.rows.map((row) => [Number(row.id), row]);
});

/** Locks these payments in one statement and keeps them in the unit of work. */
export const lockPayments = (uow: UnitOfWork, ids: number[]) => uow.load(lockedPaymentsById, ids);

/** A payment locked in this unit of work, by id. */
export const lockedPayment = (uow: UnitOfWork, id: number) => uow.get(lockedPaymentsById, id);

export async function findPaymentForReservation(tx: Sql, reservationId: number, forUpdate = false) {
  const r = await tx.query<PaymentRow>(`SELECT * FROM payments WHERE reservation_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [
    reservationId,
  ]);
  return r.rows[0];
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

const paymentUpdate = `UPDATE payments p SET
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
     WHERE p.id = x.id`;
const asUpdate = (id: number, change: PaymentChange) => ({ id, ...change, setLastError: change.lastError !== undefined });

/** A unit of work's payment changes, one statement at flush; a later change of the same payment replaces the earlier. */
const paymentChanges = writeKind<ReturnType<typeof asUpdate>>('payment changes', paymentUpdate, (c) => c.id);

/** Stages a payment's change (what it leaves out stays as it is). */
export function stagePaymentChange(uow: UnitOfWork, id: number, change: PaymentChange) {
  uow.stage(paymentChanges, asUpdate(id, change));
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
