-- The currency of a reservation's amount (ISO 4217), from ReservationPlaced; KRW for events that state
-- none (written before fares had a currency: the seeds' fares). History lines write amounts in it.
ALTER TABLE dashboard_reservations ADD COLUMN currency text NOT NULL DEFAULT 'KRW';
