-- One row per reservation and kind: a redelivered or replayed event finds its row taken and changes
-- nothing. The balance is the sum of a customer's rows.
CREATE TABLE mileage_ledger (
  id bigserial PRIMARY KEY,
  customer_id integer NOT NULL,
  reservation_id integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('ACCRUAL', 'REVERSAL')),
  miles bigint NOT NULL CHECK ((kind = 'ACCRUAL' AND miles >= 0) OR (kind = 'REVERSAL' AND miles <= 0)),
  fare bigint NOT NULL CHECK (fare >= 0),
  rate_basis_points integer NOT NULL CHECK (rate_basis_points >= 0),
  event_id uuid NOT NULL,
  occurred_at timestamptz NOT NULL,
  UNIQUE (reservation_id, kind)
);
CREATE INDEX mileage_ledger_customer ON mileage_ledger (customer_id, occurred_at, id);
