import type { IntegrationEvent } from '@airline/contracts';
import type { Database } from '@airline/database';
import type { Consumer } from './consumer.js';

export interface DeadLetter {
  id: number;
  consumer: string;
  eventId: string;
  eventType: string;
  error: string;
  attempts: number;
  parkedAt: string;
  event: IntegrationEvent;
}

/** What happened to one parked event when it was handed to its consumer again. */
export interface RedriveResult {
  id: number;
  eventId: string;
  outcome: 'redriven' | 'failed';
  error?: string;
}

export async function listDeadLetters(db: Database): Promise<DeadLetter[]> {
  const r = await db.query<{
    id: string;
    consumer: string;
    event_id: string;
    event_type: string;
    error: string;
    attempts: number;
    parked_at: Date;
    payload: IntegrationEvent;
  }>('SELECT * FROM dead_letters WHERE redriven_at IS NULL ORDER BY id');
  return r.rows.map((x) => ({
    id: Number(x.id),
    consumer: x.consumer,
    eventId: x.event_id,
    eventType: x.event_type,
    error: x.error,
    attempts: x.attempts,
    parkedAt: new Date(x.parked_at).toISOString(),
    event: x.payload,
  }));
}

/** Events parked and not redriven, per consumer and event type (the dead-letter gauge and its alert). */
export async function parkedCounts(db: Database): Promise<Array<{ consumer: string; eventType: string; parked: number }>> {
  const r = await db.query<{ consumer: string; event_type: string; n: string }>(
    `SELECT consumer, event_type, count(*)::text AS n FROM dead_letters WHERE redriven_at IS NULL GROUP BY consumer, event_type ORDER BY consumer, event_type`,
  );
  return r.rows.map((x) => ({ consumer: x.consumer, eventType: x.event_type, parked: Number(x.n) }));
}

/**
 * Hands parked events to their consumer again (after the fix). A redriven event that fails again stays
 * parked with the new error. Returns what happened to each.
 */
export async function redriveDeadLetters(db: Database, consumers: Consumer[], ids?: number[]) {
  const results: RedriveResult[] = [];
  for (const letter of await listDeadLetters(db)) {
    if (ids && !ids.includes(letter.id)) continue;
    const consumer = consumers.find((c) => c.consumer === letter.consumer);
    if (!consumer) {
      results.push({ id: letter.id, eventId: letter.eventId, outcome: 'failed', error: `no consumer ${letter.consumer} here` });
      continue;
    }
    try {
      await consumer.handleOne(letter.event);
      await db.query('UPDATE dead_letters SET redriven_at = now() WHERE id = $1', [letter.id]);
      results.push({ id: letter.id, eventId: letter.eventId, outcome: 'redriven' });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      await db.query('UPDATE dead_letters SET error = $2, attempts = attempts + 1 WHERE id = $1', [letter.id, error]);
      results.push({ id: letter.id, eventId: letter.eventId, outcome: 'failed', error });
    }
  }
  return results;
}
