-- The ISO 4217 currency of amount (integer minor units), as the booking's events state it. Rows written
-- before it are null: their events stated none, which means the seeds' KRW (UNSTATED_CURRENCY).
ALTER TABLE payments ADD COLUMN currency text CHECK (currency ~ '^[A-Z]{3}$');
