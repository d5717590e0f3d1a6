-- The processor sandbox's own storage, like a real provider's: it does not forget a charge when it
-- restarts, so a refund after a restart is a refund, not a void.

-- The vault: the only place a card number is stored. One token per number: the same card tokenised
-- again gets the same token (a retried booking with its Idempotency-Key is the same request).
-- Test cards are never stored: they have well-known tokens (pm_card_visa, ...).
CREATE TABLE payment_methods (
  id text PRIMARY KEY CHECK (id ~ '^pm_[A-Za-z0-9_]{1,64}$'),
  card text NOT NULL UNIQUE,
  brand text NOT NULL,
  last4 text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The ledger: one row per caller reference (charges are idempotent by reference).
--   approved → refunded       a refund of an approved charge, whenever it comes
--   declined                  the card or the token was refused
--   voided                    a refund came before any charge: a later charge with that reference is declined
CREATE TABLE charges (
  reference text PRIMARY KEY,
  charge_id uuid NOT NULL UNIQUE,
  amount integer CHECK (amount >= 0),
  payment_method text,
  status text NOT NULL CHECK (status IN ('approved', 'declined', 'refunded', 'voided')),
  reason text,
  authorization_code text,
  created_at timestamptz NOT NULL DEFAULT now(),
  refunded_at timestamptz,
  CHECK ((status = 'refunded') = (refunded_at IS NOT NULL))
);
