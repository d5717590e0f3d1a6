-- Named passengers (one per seat, in seat order; the seats after them are to be named) and the currency
-- of the amount (ISO 4217; KRW for reservations made before fares had a currency: the seeds' fares).
ALTER TABLE reservations
  ADD COLUMN passengers jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(passengers) = 'array' AND jsonb_array_length(passengers) <= seat_qty),
  ADD COLUMN currency text NOT NULL DEFAULT 'KRW' CHECK (currency ~ '^[A-Z]{3}$');
