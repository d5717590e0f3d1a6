-- What the service knows of flights, to name them in messages (from FlightRegistered/FlightCancelled).
CREATE TABLE notification_flights (
  flight_id integer PRIMARY KEY,
  flight_code text NOT NULL,
  takeoff_date text NOT NULL
);

-- One notification per reservation status change: (reservation, kind) is unique, so a redelivered or
-- replayed event never notifies twice. The webhook_* columns are the delivery state of the optional
-- webhook (DISABLED when none is configured).
CREATE TABLE notifications (
  id bigserial PRIMARY KEY,
  customer_id integer NOT NULL,
  reservation_id integer NOT NULL,
  booking_reference text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('RESERVATION_PLACED', 'RESERVATION_CONFIRMED', 'RESERVATION_CANCELLED', 'FLIGHT_CANCELLED')),
  title text NOT NULL,
  message text NOT NULL,
  reason text,
  event_id uuid NOT NULL,
  occurred_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  webhook_status text NOT NULL CHECK (webhook_status IN ('DISABLED', 'PENDING', 'DELIVERED', 'FAILED')),
  webhook_attempts integer NOT NULL DEFAULT 0,
  webhook_next_attempt_at timestamptz,
  webhook_lease_until timestamptz,
  webhook_last_error text,
  webhook_delivered_at timestamptz,
  UNIQUE (reservation_id, kind)
);
CREATE INDEX notifications_customer ON notifications (customer_id, id);
CREATE INDEX notifications_webhook_due ON notifications (webhook_next_attempt_at) WHERE webhook_status = 'PENDING';
