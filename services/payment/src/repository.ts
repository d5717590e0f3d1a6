import type { Sql, Tx } from '@airline/database';
import type { Payment, PaymentStatus } from './payment.js';

export type PaymentRow = {
  id: number;
  reservation_id: number;
  customer_id: number;
  amount: number;
  card: string;
  status: PaymentStatus;
  cancel_requested: boolean;
  attempts: number;
  decline_reason: string | null;
  authorization_code: string | null;
  last_error: string | null;
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
});

export const toView = (r: PaymentRow) => ({
  id: r.id,
  reservationId: r.reservation_id,
  customerId: r.customer_id,
  cost: r.amount,
  status: r.status,
  declineReason: r.decline_reason,
  authorizationCode: r.authorization_code,
  attempts: r.attempts,
  lastError: r.last_error,
  cardLast4: r.card.slice(-4),
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/** A payment to make for held seats; nothing when one exists (redelivery, or a cancel that came first). */
export function openPayment(tx: Tx, p: { reservationId: number; customerId: number; amount: number; card: string; chargeBefore?: string }): void {
  tx.enqueue(
    `INSERT INTO payments (reservation_id, customer_id, amount, card, status, charge_before) VALUES ($1, $2, $3, $4, 'PENDING', $5) ON CONFLICT (reservation_id) DO NOTHING`,
    [p.reservationId, p.customerId, p.amount, p.card, p.chargeBefore ?? null],
  );
}

export async function findPaymentForReservation(tx: Sql, reservationId: number, forUpdate = false) {
  const r = await tx.query<PaymentRow>(`SELECT * FROM payments WHERE reservation_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [reservationId]);
  return r.rows[0];
}

/** A cancel that overtook SeatsReserved: a VOIDED row makes the later SeatsReserved do nothing. */
export function insertVoidedPayment(tx: Tx, p: { reservationId: number; customerId: number; amount: number }) {
  tx.enqueue(
    `INSERT INTO payments (reservation_id, customer_id, amount, card, status) VALUES ($1, $2, $3, '', 'VOIDED') ON CONFLICT (reservation_id) DO NOTHING`,
    [p.reservationId, p.customerId, p.amount],
  );
}

export function updatePayment(
  tx: Tx,
  id: number,
  change: { status?: PaymentStatus; cancelRequested?: boolean; nextAttemptAt?: Date; declineReason?: string; authorizationCode?: string; lastError?: string | null },
) {
  tx.enqueue(
    `UPDATE payments SET
       status = coalesce($2, status),
       cancel_requested = coalesce($3, cancel_requested),
       next_attempt_at = coalesce($4, next_attempt_at),
       decline_reason = coalesce($5, decline_reason),
       authorization_code = coalesce($6, authorization_code),
       last_error = CASE WHEN $7::boolean THEN $8 ELSE last_error END,
       lease_until = NULL,
       updated_at = now()
     WHERE id = $1`,
    [
      id,
      change.status ?? null,
      change.cancelRequested ?? null,
      change.nextAttemptAt?.toISOString() ?? null,
      change.declineReason ?? null,
      change.authorizationCode ?? null,
      change.lastError !== undefined,
      change.lastError ?? null,
    ],
  );
}

/**
 * Claims due work for this worker: payments to charge (while their hold lasts) or refund whose time has
 * come, and calls whose lease ran out (their worker died). SKIP LOCKED lets replicas claim disjoint batches.
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
       ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [now.toISOString(), new Date(now.getTime() + leaseMs).toISOString(), limit],
  );
  return r.rows;
}

/** Several payments by id, locked in id order when forUpdate. */
export async function findPayments(tx: Sql, ids: number[], forUpdate = false): Promise<Map<number, PaymentRow>> {
  const r = await tx.query<PaymentRow>(`SELECT * FROM payments WHERE id = ANY($1::bigint[]) ORDER BY id${forUpdate ? ' FOR UPDATE' : ''}`, [ids]);
  return new Map(r.rows.map((row) => [Number(row.id), row]));
}

export async function findPayment(tx: Sql, id: number, forUpdate = false) {
  const r = await tx.query<PaymentRow>(`SELECT * FROM payments WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return r.rows[0];
}

export async function listPayments(tx: Sql, f: { customerId?: number; reservationId?: number; limit: number; afterId: number }) {
  const r = await tx.query<PaymentRow>(
    `SELECT * FROM payments WHERE id > $1 AND ($2::int IS NULL OR customer_id = $2) AND ($3::int IS NULL OR reservation_id = $3) ORDER BY id LIMIT $4`,
    [f.afterId, f.customerId ?? null, f.reservationId ?? null, f.limit],
  );
  return r.rows;
}
