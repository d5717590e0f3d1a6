-- The catalog keeps a fare's currency (NULL: from before fares had one, the configured default) and,
-- for a scheduled flight, when booking closes before its departure (NULL: registered as the seeds do).
ALTER TABLE flight_catalog ADD COLUMN currency text, ADD COLUMN booking_closes_at timestamptz;
