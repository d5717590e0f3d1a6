import { rowKind, writeKind, type Sql, type UnitOfWork } from '@airline/database';
import type { FlightLabel, NewNotification, NotificationKind, WebhookStatus } from './notification.js';

export type NotificationRow = {
  id: string;
  customer_id: number;
  reservation_id: number;
  booking_reference: string;
  kind: NotificationKind;
  title: string;
  message: string;
  reason: string | null;
  event_id: string;
  occurred_at: Date | string;
  created_at: Date | string;
  webhook_status: WebhookStatus;
  webhook_attempts: number;
  webhook_last_error: string | null;
  webhook_delivered_at: Date | string | null;
};

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export const toView = (r: NotificationRow) => ({
  id: Number(r.id),
  customerId: r.customer_id,
  reservationId: r.reservation_id,
  bookingReference: r.booking_reference,
  kind: r.kind,
  title: r.title,
  message: r.message,
  reason: r.reason,
  eventId: r.event_id,
  occurredAt: iso(r.occurred_at)!,
  createdAt: iso(r.created_at)!,
  webhook: {
    status: r.webhook_status,
    attempts: r.webhook_attempts,
    lastError: r.webhook_last_error,
    deliveredAt: iso(r.webhook_delivered_at),
  },
});
export type NotificationView = ReturnType<typeof toView>;

const newNotifications = writeKind<NewNotification & { webhookStatus: WebhookStatus; webhookDueAt: string | null }>(
  'notifications',
  `INSERT INTO notifications (customer_id, reservation_id, booking_reference, kind, title, message, reason, event_id, occurred_at, webhook_status, webhook_next_attempt_at)
   SELECT (n->>'customerId')::int, (n->>'reservationId')::int, n->>'bookingReference', n->>'kind', n->>'title', n->>'message', n->>'reason',
          (n->>'eventId')::uuid, (n->>'occurredAt')::timestamptz, n->>'webhookStatus', (n->>'webhookDueAt')::timestamptz
   FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(n, i) ORDER BY i
   ON CONFLICT (reservation_id, kind) DO NOTHING`,
);

/** Stages a notification, stored unless the reservation already has one of that kind (the unit of work's go in order, as one statement at flush). */
export function insertNotification(uow: UnitOfWork, n: NewNotification, webhook: boolean): void {
  uow.stage(newNotifications, {
    ...n,
    webhookStatus: webhook ? 'PENDING' : 'DISABLED',
    webhookDueAt: webhook ? new Date(0).toISOString() : null,
  });
}

export function upsertFlight(uow: UnitOfWork, flightId: number, label: Partial<FlightLabel> & { flightCode: string }) {
  uow.forget(labels, flightId); // read again after this write
  uow.tx.enqueue(
    `INSERT INTO notification_flights (flight_id, flight_code, takeoff_date) VALUES ($1, $2, $3)
     ON CONFLICT (flight_id) DO UPDATE SET flight_code = EXCLUDED.flight_code,
       takeoff_date = CASE WHEN EXCLUDED.takeoff_date = '' THEN notification_flights.takeoff_date ELSE EXCLUDED.takeoff_date END`,
    [flightId, label.flightCode, label.takeoffDate ?? ''],
  );
}

/** Flights' labels, for the messages. */
const labels = rowKind<number, FlightLabel>('flight labels', async (tx, flightIds) => {
  const r = await tx.query<{ flight_id: number; flight_code: string; takeoff_date: string }>(
    'SELECT flight_id, flight_code, takeoff_date FROM notification_flights WHERE flight_id = ANY($1::int[])',
    [flightIds],
  );
  return r.rows.map((row) => [row.flight_id, { flightCode: row.flight_code, takeoffDate: row.takeoff_date }]);
});

/** Reads the labels of these flights in one statement into the unit of work. */
export const prefetchFlights = (uow: UnitOfWork, flightIds: number[]) => uow.load(labels, flightIds);

export const findFlight = (uow: UnitOfWork, flightId: number) => uow.get(labels, flightId);

export interface NotificationFilter {
  customerId?: number;
  reservationId?: number;
  kind?: NotificationKind;
  afterId: number;
  limit: number;
}

export async function listNotifications(tx: Sql, f: NotificationFilter): Promise<NotificationRow[]> {
  const r = await tx.query<NotificationRow>(
    `SELECT * FROM notifications
     WHERE id > $1 AND ($2::int IS NULL OR customer_id = $2) AND ($3::int IS NULL OR reservation_id = $3) AND ($4::text IS NULL OR kind = $4)
     ORDER BY id LIMIT $5`,
    [f.afterId, f.customerId ?? null, f.reservationId ?? null, f.kind ?? null, f.limit],
  );
  return r.rows;
}

export async function findNotification(tx: Sql, id: number): Promise<NotificationRow | undefined> {
  return (await tx.query<NotificationRow>('SELECT * FROM notifications WHERE id = $1', [id])).rows[0];
}

/** Notifications newer than `afterId`, plus the given ids (rows that may have committed late). */
export async function notificationsSince(tx: Sql, afterId: number, alsoIds: number[], limit: number): Promise<NotificationRow[]> {
  const r = await tx.query<NotificationRow>('SELECT * FROM notifications WHERE id > $1 OR id = ANY($2::bigint[]) ORDER BY id LIMIT $3', [
    afterId,
    alsoIds,
    limit,
  ]);
  return r.rows;
}

export async function maxNotificationId(tx: Sql): Promise<number> {
  const r = await tx.query<{ id: string | null }>('SELECT max(id)::text AS id FROM notifications');
  return Number(r.rows[0]?.id ?? 0);
}

/** Claims due webhook deliveries for this worker (SKIP LOCKED: replicas take disjoint batches; a lease covers a worker that dies mid-call). */
export async function claimDueWebhooks(tx: Sql, now: Date, leaseMs: number, limit: number): Promise<NotificationRow[]> {
  const r = await tx.query<NotificationRow>(
    `UPDATE notifications SET webhook_attempts = webhook_attempts + 1, webhook_lease_until = $2
     WHERE id IN (
       SELECT id FROM notifications
       WHERE webhook_status = 'PENDING' AND webhook_next_attempt_at <= $1 AND (webhook_lease_until IS NULL OR webhook_lease_until <= $1)
       ORDER BY webhook_next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [now.toISOString(), new Date(now.getTime() + leaseMs).toISOString(), limit],
  );
  return r.rows;
}

export async function recordWebhookAttempt(
  tx: Sql,
  id: number,
  a: { status: WebhookStatus; nextAttemptAt: Date | null; lastError: string | null },
  now: Date,
) {
  await tx.query(
    `UPDATE notifications SET webhook_status = $2, webhook_next_attempt_at = $3, webhook_last_error = $4, webhook_lease_until = NULL,
       webhook_delivered_at = CASE WHEN $2 = 'DELIVERED' THEN $5::timestamptz ELSE webhook_delivered_at END
     WHERE id = $1`,
    [id, a.status, a.nextAttemptAt?.toISOString() ?? null, a.lastError, now.toISOString()],
  );
}
