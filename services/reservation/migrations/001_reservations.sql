-- The reservation service's own copy of the flight catalog, built from FlightRegistered/FlightCancelled,
-- so that booking works while the flight service is down.
CREATE TABLE flight_catalog (
  flight_id integer PRIMARY KEY,
  flight_code text NOT NULL,
  takeoff_date text NOT NULL,
  cost integer NOT NULL,
  status text NOT NULL DEFAULT 'SCHEDULED'
);

CREATE TABLE reservations (
  id serial PRIMARY KEY,
  booking_reference char(6) NOT NULL UNIQUE,
  customer_id integer NOT NULL,
  flight_id integer NOT NULL,
  seat_qty integer NOT NULL CHECK (seat_qty > 0),
  amount integer NOT NULL CHECK (amount >= 0),
  reserve_date text NOT NULL,
  card_last4 text NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'CANCELED')),
  cancel_reason text,
  hold_expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reservations_pending_expiry ON reservations (hold_expires_at) WHERE status = 'PENDING';
CREATE INDEX reservations_flight_active ON reservations (flight_id) WHERE status <> 'CANCELED';
CREATE INDEX reservations_customer ON reservations (customer_id, id);
