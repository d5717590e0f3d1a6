// The sandbox's vault (token → card) and ledger (reference → charge), in its own database.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Database, Sql } from '@airline/database';
import { LEGACY_PAYMENT_METHOD, TEST_CARDS, cardBrand, wellKnownPaymentMethod } from '@airline/contracts';

export type ChargeStatus = 'approved' | 'declined' | 'refunded' | 'voided';

export interface Charge {
  reference: string;
  chargeId: string;
  amount: number | null;
  paymentMethod: string | null;
  status: ChargeStatus;
  reason: string | null;
  authorizationCode: string | null;
  createdAt: string;
  refundedAt: string | null;
}

type ChargeRow = {
  reference: string;
  charge_id: string;
  amount: number | null;
  payment_method: string | null;
  status: ChargeStatus;
  reason: string | null;
  authorization_code: string | null;
  created_at: Date;
  refunded_at: Date | null;
};

const toCharge = (r: ChargeRow): Charge => ({
  reference: r.reference,
  chargeId: r.charge_id,
  amount: r.amount,
  paymentMethod: r.payment_method,
  status: r.status,
  reason: r.reason,
  authorizationCode: r.authorization_code,
  createdAt: new Date(r.created_at).toISOString(),
  refundedAt: r.refunded_at ? new Date(r.refunded_at).toISOString() : null,
});

export interface StoredPaymentMethod {
  id: string;
  brand: string;
  last4: string;
}

/** How a charge on a payment method ends: approved, or the decline reason. */
export type ChargeDecision = { approved: true } | { approved: false; reason: string };

const declineOf = (card: string): ChargeDecision => {
  const test = TEST_CARDS.find((c) => c.card === card);
  return test && test.outcome !== 'approved' ? { approved: false, reason: test.outcome } : { approved: true };
};

/** A token for a card number (well-known for a test card, else the vault's, the same each time). */
export async function tokenize(db: Database, card: string): Promise<StoredPaymentMethod> {
  const test = TEST_CARDS.find((c) => c.card === card);
  if (test) return { id: test.paymentMethod, brand: test.brand, last4: card.slice(-4) };
  const id = `pm_${randomBytes(12).toString('base64url').replace(/[-]/g, 'x')}`;
  const inserted = await db.query<StoredPaymentMethod>(
    `INSERT INTO payment_methods (id, card, brand, last4) VALUES ($1, $2, $3, $4)
     ON CONFLICT (card) DO NOTHING RETURNING id, brand, last4`,
    [id, card, cardBrand(card), card.slice(-4)],
  );
  if (inserted.rows[0]) return inserted.rows[0];
  return (await db.query<StoredPaymentMethod>('SELECT id, brand, last4 FROM payment_methods WHERE card = $1', [card])).rows[0]!;
}

/** What the vault says of a token (never the number); undefined when it issued no such token (clients are never given pm_card_legacy). */
export async function describePaymentMethod(db: Sql, paymentMethod: string): Promise<StoredPaymentMethod | undefined> {
  const known = wellKnownPaymentMethod(paymentMethod);
  if (known) return { id: known.paymentMethod, brand: known.cardBrand, last4: known.cardLast4 };
  return (await db.query<StoredPaymentMethod>('SELECT id, brand, last4 FROM payment_methods WHERE id = $1', [paymentMethod])).rows[0];
}

/** Whether the card behind a token would be charged (test cards decline by their number). */
async function decide(tx: Sql, paymentMethod: string): Promise<ChargeDecision> {
  const test = TEST_CARDS.find((c) => c.paymentMethod === paymentMethod);
  if (test) return declineOf(test.card);
  if (paymentMethod === LEGACY_PAYMENT_METHOD) return { approved: true };
  const r = await tx.query<{ card: string }>('SELECT card FROM payment_methods WHERE id = $1', [paymentMethod]);
  return r.rows[0] ? declineOf(r.rows[0].card) : { approved: false, reason: 'invalid_payment_method' };
}

/** A charge, once per reference: the same reference always gets the first answer (a voided one is declined). */
export async function charge(db: Database, req: { reference: string; amount: number; paymentMethod: string }): Promise<Charge> {
  return db.transaction(async (tx) => {
    const prior = await tx.query<ChargeRow>('SELECT * FROM charges WHERE reference = $1 FOR UPDATE', [req.reference]);
    if (prior.rows[0]) return toCharge(prior.rows[0]);
    const decision = await decide(tx, req.paymentMethod);
    const r = await tx.query<ChargeRow>(
      `INSERT INTO charges (reference, charge_id, amount, payment_method, status, reason, authorization_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (reference) DO UPDATE SET reference = charges.reference RETURNING *`, // a concurrent twin: its answer
      [
        req.reference,
        randomUUID(),
        req.amount,
        req.paymentMethod,
        decision.approved ? 'approved' : 'declined',
        decision.approved ? null : decision.reason,
        decision.approved ? randomUUID().slice(0, 6).toUpperCase() : null,
      ],
    );
    return toCharge(r.rows[0]!);
  });
}

/**
 * A refund by reference: an approved charge is refunded (once: asked again, it answers refunded again);
 * with nothing charged it is a void, and a later charge with that reference is declined.
 */
export async function refund(db: Database, reference: string): Promise<{ status: 'refunded' | 'voided'; chargeId?: string }> {
  return db.transaction(async (tx) => {
    const voided = await tx.query(
      `INSERT INTO charges (reference, charge_id, status, reason) VALUES ($1, $2, 'voided', 'refund before any charge')
       ON CONFLICT (reference) DO NOTHING RETURNING reference`,
      [reference, randomUUID()],
    );
    if (voided.rowCount > 0) return { status: 'voided' as const };
    const row = (await tx.query<ChargeRow>('SELECT * FROM charges WHERE reference = $1 FOR UPDATE', [reference])).rows[0]!;
    if (row.status === 'approved') {
      await tx.query(`UPDATE charges SET status = 'refunded', refunded_at = now() WHERE reference = $1`, [reference]);
      return { status: 'refunded' as const, chargeId: row.charge_id };
    }
    if (row.status === 'refunded') return { status: 'refunded' as const, chargeId: row.charge_id };
    return { status: 'voided' as const };
  });
}

export async function findCharge(db: Sql, reference: string): Promise<Charge | undefined> {
  const r = await db.query<ChargeRow>('SELECT * FROM charges WHERE reference = $1', [reference]);
  return r.rows[0] ? toCharge(r.rows[0]) : undefined;
}
