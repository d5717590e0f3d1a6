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

/** Test cards that decline, by number, and why (what a vault token of such a number answers). */
const DECLINING_CARDS = JSON.stringify(
  Object.fromEntries(TEST_CARDS.filter((c) => c.outcome !== 'approved').map((c) => [c.card, c.outcome])),
);

/** The decision for a well-known token (a test card's, the legacy one); undefined for a vault token (the database decides). */
function knownDecision(paymentMethod: string): ChargeDecision | undefined {
  const test = TEST_CARDS.find((c) => c.paymentMethod === paymentMethod);
  if (test) return declineOf(test.card);
  if (paymentMethod === LEGACY_PAYMENT_METHOD) return { approved: true };
  return undefined;
}

/**
 * A charge, once per reference: the same reference always gets the first answer (a voided one is
 * declined). One statement, so one round trip: a vault token is looked up in it (a test card number
 * declines, an unknown token is invalid_payment_method), and a reference already in the ledger (a retry,
 * a concurrent twin, or a void that came first) returns its row unchanged.
 */
export async function charge(db: Sql, req: { reference: string; amount: number; paymentMethod: string }): Promise<Charge> {
  const known = knownDecision(req.paymentMethod);
  const r = await db.query<ChargeRow>(
    `WITH vault AS (SELECT card FROM payment_methods WHERE id = $4),
     decision AS (
       SELECT CASE WHEN $5::boolean THEN $6::text
                   WHEN NOT EXISTS (SELECT 1 FROM vault) THEN 'invalid_payment_method'
                   ELSE $8::jsonb ->> (SELECT card FROM vault) END AS reason)
     INSERT INTO charges (reference, charge_id, amount, payment_method, status, reason, authorization_code)
     SELECT $1, $2, $3, $4, CASE WHEN reason IS NULL THEN 'approved' ELSE 'declined' END, reason, CASE WHEN reason IS NULL THEN $7 END
     FROM decision
     ON CONFLICT (reference) DO UPDATE SET reference = charges.reference
     RETURNING *`,
    [
      req.reference,
      randomUUID(),
      req.amount,
      req.paymentMethod,
      known !== undefined,
      known && !known.approved ? known.reason : null,
      randomUUID().slice(0, 6).toUpperCase(),
      DECLINING_CARDS,
    ],
  );
  return toCharge(r.rows[0]!);
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
