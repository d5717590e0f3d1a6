-- Airports and routes, times and currencies (issue 14). A scheduled flight has an origin and a
-- destination (IATA), and departs and arrives at a local time in its airport's zone; the instant is
-- stored in UTC (timestamptz), the wall clock and zone beside it as they were given. Flights registered
-- as the seeds do (takeoffDate only) have none of these.
ALTER TABLE flights
  -- KRW: the seeds' fares, and every fare registered before fares had a currency
  ADD COLUMN currency text NOT NULL DEFAULT 'KRW' CHECK (currency ~ '^[A-Z]{3}$'),
  ADD COLUMN origin text,
  ADD COLUMN destination text,
  ADD COLUMN departure_local text,
  ADD COLUMN departure_zone text,
  ADD COLUMN departure_utc timestamptz,
  ADD COLUMN arrival_local text,
  ADD COLUMN arrival_zone text,
  ADD COLUMN arrival_utc timestamptz,
  ADD COLUMN booking_closes_at timestamptz,
  -- the day a flight code is used once: a second KE081 on the same day is refused (409)
  ADD COLUMN departure_day text,
  ADD CONSTRAINT flights_route_whole CHECK (
    (origin IS NULL) = (destination IS NULL) AND (origin IS NULL) = (departure_utc IS NULL)
    AND (origin IS NULL) = (arrival_utc IS NULL) AND (origin IS NULL) = (booking_closes_at IS NULL)
    AND (arrival_utc IS NULL OR arrival_utc > departure_utc)),
  -- at least one seat; flights registered before this rule are not checked again (NOT VALID)
  ADD CONSTRAINT flights_capacity_positive CHECK (capacity >= 1) NOT VALID;

-- Flights registered before the rule: the first of each code and day takes the day, later duplicates
-- keep working but stay outside the rule (a NULL day is never a duplicate).
UPDATE flights f SET departure_day = left(f.takeoff_date, 10)
WHERE f.id = (SELECT min(g.id) FROM flights g WHERE upper(g.flight_code) = upper(f.flight_code) AND left(g.takeoff_date, 10) = left(f.takeoff_date, 10));
CREATE UNIQUE INDEX flights_code_day ON flights (upper(flight_code), departure_day);
