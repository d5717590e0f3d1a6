import { createHash } from 'node:crypto';
import type { Database, Migration, Tx } from '@airline/database';
import { HttpProblem } from './problem.js';

export const idempotencyMigration: Migration = {
  name: '000_idempotency.sql',
  sql: `
CREATE TABLE idempotency_keys (
  key text PRIMARY KEY,
  fingerprint text NOT NULL,
  status int,
  body jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);`,
};

export interface StoredResponse<B> {
  status: number;
  body: B;
  replayed: boolean;
}

/**
 * Runs `create` at most once per Idempotency-Key: the key is claimed in the same transaction as the
 * write, so a retried request (even a concurrent one) gets the first response and creates nothing.
 * The same key with a different request is a 422.
 */
export async function idempotent<B>(
  db: Database,
  key: string | undefined,
  request: unknown,
  create: (tx: Tx) => Promise<{ status: number; body: B }>,
): Promise<StoredResponse<B>> {
  if (key === undefined) return { ...(await db.transaction(create)), replayed: false };
  if (key.length === 0 || key.length > 200)
    throw new HttpProblem(400, 'Invalid request', 'Idempotency-Key must be 1–200 characters', 'Idempotency-Key');
  const fingerprint = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  return db.transaction(async (tx) => {
    const claimed = await tx.query('INSERT INTO idempotency_keys (key, fingerprint) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      key,
      fingerprint,
    ]);
    if (claimed.rowCount === 0) {
      const prior = (
        await tx.query<{ fingerprint: string; status: number; body: B }>(
          'SELECT fingerprint, status, body FROM idempotency_keys WHERE key = $1',
          [key],
        )
      ).rows[0]!;
      if (prior.fingerprint !== fingerprint) {
        throw new HttpProblem(422, 'Idempotency key reused', 'this Idempotency-Key was used with a different request', 'Idempotency-Key');
      }
      return { status: prior.status, body: prior.body, replayed: true };
    }
    const result = await create(tx);
    tx.enqueue('UPDATE idempotency_keys SET status = $2, body = $3 WHERE key = $1', [key, result.status, JSON.stringify(result.body)]);
    return { ...result, replayed: false };
  });
}
