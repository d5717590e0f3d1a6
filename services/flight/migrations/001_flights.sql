CREATE TABLE flights (
  id serial PRIMARY KEY,
  flight_code text NOT NULL,
  takeoff_date text NOT NULL,
  cost integer NOT NULL CHECK (cost >= 0),
  capacity integer NOT NULL CHECK (capacity >= 0),
  -- the last line of defence against overbooking: the decrement is conditional, and this holds whatever the code does
  remaining_seats_count integer NOT NULL CHECK (remaining_seats_count >= 0 AND remaining_seats_count <= capacity),
  status text NOT NULL DEFAULT 'SCHEDULED' CHECK (status IN ('SCHEDULED', 'CANCELLED')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per reservation that asked for seats. HELD and SOLD count against capacity;
-- RELEASED with seat_qty 0 is a tombstone: the cancel arrived before the request for seats.
CREATE TABLE seat_holds (
  reservation_id integer PRIMARY KEY,
  flight_id integer NOT NULL,
  seat_qty integer NOT NULL CHECK (seat_qty >= 0),
  status text NOT NULL CHECK (status IN ('HELD', 'SOLD', 'RELEASED', 'REJECTED')),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX seat_holds_flight ON seat_holds (flight_id, status);
