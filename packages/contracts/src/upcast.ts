// Events written before card tokenisation carried the full number as `card` in ReservationPlaced and
// SeatsReserved. They are read as the token, last four digits and brand (upcastEvent), and the stored
// copies are rewritten the same way by each service's migration (scrubCardsSql), so the number is not
// kept anywhere outside the processor.
import { LEGACY_PAYMENT_METHOD, TEST_CARDS, legacyPaymentMethod } from './cards.js';

const CARD_EVENTS = new Set(['ReservationPlaced', 'SeatsReserved']);

/** The event without `card`: an old event gets its payment method in its place; a new one is returned as it is. */
export function upcastEvent<T>(value: T): T {
  const e = value as { type?: unknown; data?: Record<string, unknown> } | null;
  if (!e || typeof e !== 'object' || !CARD_EVENTS.has(e.type as string) || !e.data || typeof e.data !== 'object' || !('card' in e.data))
    return value;
  const { card, ...data } = e.data;
  const filled = typeof card === 'string' && data.paymentMethod === undefined ? legacyPaymentMethod(card) : {};
  return { ...e, data: { ...data, ...filled } } as T;
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** SQL: the new fields of an old event's data (`d`, a jsonb expression), as upcastEvent computes them. */
function paymentMethodOf(d: string) {
  const card = `(${d}->>'card')`;
  const token = `CASE ${card} ${TEST_CARDS.map((c) => `WHEN ${quote(c.card)} THEN ${quote(c.paymentMethod)}`).join(' ')} ELSE ${quote(LEGACY_PAYMENT_METHOD)} END`;
  // the prefixes of credit-card-type's main networks; a rare network reads 'unknown' in rewritten history
  const brand = `CASE
    ${TEST_CARDS.map((c) => `WHEN ${card} = ${quote(c.card)} THEN ${quote(c.brand)}`).join('\n    ')}
    WHEN ${card} ~ '^4' THEN 'visa'
    WHEN ${card} ~ '^(5[1-5]|222[1-9]|22[3-9]|2[3-6]|27[01]|2720)' THEN 'mastercard'
    WHEN ${card} ~ '^3[47]' THEN 'american-express'
    WHEN ${card} ~ '^(6011|64[4-9]|65)' THEN 'discover'
    WHEN ${card} ~ '^35(2[89]|[3-8])' THEN 'jcb'
    ELSE 'unknown' END`;
  return `jsonb_build_object('paymentMethod', ${token}, 'cardLast4', right(${card}, 4), 'cardBrand', ${brand})`;
}

/**
 * An UPDATE that rewrites stored events carrying `card` (a migration of each service that keeps events:
 * outbox, dead letters, event log, read-model history). `column` holds the whole event (`envelope`) or
 * only its data.
 */
export function scrubCardsSql(table: string, column: string, holds: 'envelope' | 'data'): string {
  const types = [...CARD_EVENTS].map(quote).join(', ');
  if (holds === 'data') {
    return `UPDATE ${table} SET ${column} = (${column} - 'card') || ${paymentMethodOf(column)} WHERE ${column} ? 'card';`;
  }
  const d = `${column}->'data'`;
  return `UPDATE ${table} SET ${column} = jsonb_set(${column}, '{data}', ((${d}) - 'card') || ${paymentMethodOf(d)})
  WHERE ${column}->>'type' IN (${types}) AND ${d} ? 'card';`;
}

/**
 * The migration each service that may hold card events runs once: its outbox and dead letters (the
 * shared messaging tables), and any table of its own that keeps events or their data.
 */
export function scrubCardsMigration(ownTables: Array<{ table: string; column: string; holds: 'envelope' | 'data' }> = []): {
  name: string;
  sql: string;
} {
  const tables = [
    { table: 'outbox', column: 'payload', holds: 'envelope' as const },
    { table: 'dead_letters', column: 'payload', holds: 'envelope' as const },
    ...ownTables,
  ];
  // a table this database does not have (a read model rebuilt from the log has no outbox) has nothing to scrub
  const guarded = tables.map((t) => `IF to_regclass('${t.table}') IS NOT NULL THEN\n${scrubCardsSql(t.table, t.column, t.holds)}\nEND IF;`);
  return { name: '100_scrub_card_numbers.sql', sql: `DO $scrub$ BEGIN\n${guarded.join('\n')}\nEND $scrub$;` };
}
