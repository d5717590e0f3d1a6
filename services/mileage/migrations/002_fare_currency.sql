-- The ISO 4217 currency of fare (integer minor units), as the booking's event states it. Entries written
-- before it are null: their events stated none, which means the seeds' KRW (UNSTATED_CURRENCY).
ALTER TABLE mileage_ledger ADD COLUMN currency text CHECK (currency ~ '^[A-Z]{3}$');
