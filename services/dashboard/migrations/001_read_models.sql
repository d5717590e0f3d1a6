-- Read models only: built from events, never from another service's database, and rebuildable from
-- the event log at any time. No column is filled from this database's clock, so a rebuild gives the
-- same rows, byte for byte, as the live projection.

-- One row per reservation: what customer_infos is summed from (status only moves forward).
CREATE TABLE dashboard_reservations (
  reservation_id integer PRIMARY KEY,
  customer_id integer NOT NULL,
  flight_id integer NOT NULL,
  booking_reference text NOT NULL,
  seat_qty integer NOT NULL,
  amount bigint NOT NULL,
  reserve_date text NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'CANCELED')),
  cancel_reason text
);
CREATE INDEX dashboard_reservations_customer ON dashboard_reservations (customer_id);

-- Seed 000's CustomerInfo, plus confirmed and cancelled counts.
CREATE TABLE customer_infos (
  customer_id integer PRIMARY KEY,
  flight_count integer NOT NULL,
  recent_reserve_date text,
  confirmed_count integer NOT NULL,
  cancelled_count integer NOT NULL
);

-- Seed 001's flight status: seats on sale at registration, seats taken since, latest activity.
CREATE TABLE flight_board (
  flight_id integer PRIMARY KEY,
  flight_code text,
  takeoff_date text,
  capacity integer,
  registered_remaining integer,
  seats_taken integer NOT NULL DEFAULT 0,
  sold_out_count integer NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'SCHEDULED' CHECK (status IN ('SCHEDULED', 'CANCELLED')),
  last_activity_type text,
  last_activity_at timestamptz,
  last_activity_event_id uuid,
  last_activity_reservation_id integer,
  last_activity_summary text
);

-- One row per reservation that asked a flight for seats; flags only turn on.
CREATE TABLE flight_board_seats (
  reservation_id integer PRIMARY KEY,
  flight_id integer NOT NULL,
  seat_qty integer NOT NULL,
  reserved boolean NOT NULL,
  released boolean NOT NULL,
  sold_out boolean NOT NULL
);

-- Seeds 002/003: every event of a customer's bookings.
CREATE TABLE reservation_history (
  event_id uuid PRIMARY KEY,
  reservation_id integer NOT NULL,
  customer_id integer,
  type text NOT NULL,
  step integer NOT NULL,
  occurred_at timestamptz NOT NULL,
  summary text NOT NULL,
  data jsonb NOT NULL
);
CREATE INDEX reservation_history_customer ON reservation_history (customer_id, occurred_at, step);
CREATE INDEX reservation_history_reservation ON reservation_history (reservation_id) WHERE customer_id IS NULL;
