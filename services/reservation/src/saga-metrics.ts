// The booking saga as Prometheus metrics, on the reservation service's /metrics (the alert rules and the
// dashboard under deploy/ use exactly these names):
// - airline_saga_outcomes_total{status,reason}: sagas that ended, counted when their ReservationConfirmed
//   or ReservationCancelled is published (at least once: a relay that crashes after publishing, before
//   its commit, publishes again);
// - airline_booking_confirm_seconds: from the reservation's creation (POST) to its confirmation;
// - airline_saga_pending_oldest_age_seconds: how long the oldest PENDING reservation has waited, read at
//   scrape time (the same in every replica: queries take max);
// - airline_group_commit_size: bookings placed per group-commit transaction.
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { IntegrationEvent } from '@airline/contracts';
import type { Database } from '@airline/database';

export interface SagaMetrics {
  /** Given the events the outbox relay published. */
  published(events: IntegrationEvent[]): void;
  /** Given the size of each group-commit transaction that committed. */
  groupCommitted(size: number): void;
}

/** holdTtlMs: a reservation's hold ends this long after it was placed, so its placing time is hold_expires_at - holdTtlMs (the service's clock, as the confirmation's). */
export function sagaMetrics(registry: Registry, db: Database, log: Logger, holdTtlMs: number): SagaMetrics {
  const outcomes = new Counter({
    name: 'airline_saga_outcomes_total',
    help: 'Booking sagas that ended, by final status (CONFIRMED, CANCELED) and cancel reason (empty for CONFIRMED)',
    labelNames: ['status', 'reason'],
    registers: [registry],
  });
  const confirmSeconds = new Histogram({
    name: 'airline_booking_confirm_seconds',
    help: 'Time from a reservation being placed (POST /reservations) to CONFIRMED',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers: [registry],
  });
  const groupSize = new Histogram({
    name: 'airline_group_commit_size',
    help: 'Bookings placed in one group-commit transaction of POST /reservations',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [registry],
  });
  new Gauge({
    name: 'airline_saga_pending_oldest_age_seconds',
    help: 'Age of the oldest PENDING reservation (0 when none): past the hold, the hold expiry is not running',
    registers: [registry],
    async collect() {
      // the earliest hold to expire is the oldest booking (one hold time for all): the partial index answers
      const r = await db.query<{ age: number | string | null }>(
        `SELECT extract(epoch FROM now() - created_at)::float8 AS age FROM reservations WHERE status = 'PENDING' ORDER BY hold_expires_at LIMIT 1`,
      );
      this.set(Math.max(0, Number(r.rows[0]?.age ?? 0)));
    },
  });

  async function observeConfirmations(confirmed: Array<{ reservationId: number; at: number }>) {
    const r = await db.query<{ id: number; hold_expires_at: Date | string }>(
      `SELECT id, hold_expires_at FROM reservations WHERE id = ANY($1::int[])`,
      [confirmed.map((c) => c.reservationId)],
    );
    const createdAt = new Map(r.rows.map((row) => [Number(row.id), new Date(row.hold_expires_at).getTime() - holdTtlMs]));
    for (const c of confirmed) {
      const created = createdAt.get(c.reservationId);
      if (created !== undefined) confirmSeconds.observe(Math.max(0, (c.at - created) / 1000));
    }
  }

  return {
    published(events) {
      const confirmed: Array<{ reservationId: number; at: number }> = [];
      for (const e of events) {
        if (e.type === 'ReservationConfirmed') {
          outcomes.inc({ status: 'CONFIRMED', reason: '' });
          confirmed.push({ reservationId: e.data.reservationId, at: Date.parse(e.occurredAt) });
        } else if (e.type === 'ReservationCancelled') outcomes.inc({ status: 'CANCELED', reason: e.data.reason });
      }
      // the relay calls this inside its transaction: the read goes after it, never awaited there
      if (confirmed.length > 0)
        observeConfirmations(confirmed).catch((err: unknown) =>
          log.warn({ err }, 'confirmation times could not be read for airline_booking_confirm_seconds'),
        );
    },
    groupCommitted: (size) => groupSize.observe(size),
  };
}
