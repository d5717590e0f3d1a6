-- One payment per reservation. The worker moves it through the processor:
--   PENDING → CHARGING → APPROVED | DECLINED     (a failed call goes back to PENDING with a later next_attempt_at)
--   APPROVED → REFUND_PENDING → REFUNDING → REFUNDED | VOIDED   (compensation)
--   PENDING (never tried) → VOIDED when the reservation is cancelled first.
-- CHARGING/REFUNDING carry a lease: a worker that died mid-call is taken over when it runs out.
CREATE TABLE payments (
  id serial PRIMARY KEY,
  reservation_id integer NOT NULL UNIQUE,
  customer_id integer NOT NULL,
  amount integer NOT NULL CHECK (amount >= 0),
  card text NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'CHARGING', 'APPROVED', 'DECLINED', 'REFUND_PENDING', 'REFUNDING', 'REFUNDED', 'VOIDED')),
  cancel_requested boolean NOT NULL DEFAULT false,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  decline_reason text,
  authorization_code text,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_due ON payments (next_attempt_at) WHERE status IN ('PENDING', 'REFUND_PENDING');
CREATE INDEX payments_leased ON payments (lease_until) WHERE status IN ('CHARGING', 'REFUNDING');
CREATE INDEX payments_customer ON payments (customer_id);
