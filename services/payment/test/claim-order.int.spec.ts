// The payment worker claims due payments in payment (booking) order, whatever order PostgreSQL finds
// them in: a pass records its answers, and emits PaymentApproved/Declined, in that order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase, migrate, type Database } from '@airline/database';
import { messagingMigration } from '@airline/outbox';
import { paymentService } from '../src/index.js';
import { claimDuePayments } from '../src/repository.js';

let db: Database;
beforeAll(async () => {
  db = await createPgliteDatabase();
  await migrate(db, [messagingMigration, ...paymentService.migrations]);
});
afterAll(async () => {
  await db?.close();
});

describe('claiming due payments', () => {
  it('hands over payments due at the same moment in payment order, even when the table holds them in another', async () => {
    await db.exec(`INSERT INTO payments (reservation_id, customer_id, amount, payment_method, status, next_attempt_at)
                   SELECT n, 1, 100, 'pm_card_visa', 'PENDING', '2026-01-01T00:00:00Z' FROM generate_series(1, 10) AS n`);
    // an update writes a new version of a row at the end of the table: 1–5 now come after 6–10 in a scan
    await db.exec(`UPDATE payments SET updated_at = now() WHERE id <= 5`);
    const claimed = await db.transaction((tx) => claimDuePayments(tx, new Date('2026-01-01T00:01:00Z'), 30_000, 100));
    expect(claimed.map((p) => Number(p.id))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(claimed.every((p) => p.status === 'CHARGING')).toBe(true);
  });
});
