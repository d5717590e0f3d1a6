-- The gateway's own users (SPEC Security: "issued by the gateway for its own users").
-- A customer acts as exactly one customerId of the domain; an admin acts for none.
CREATE TABLE users (
  username text PRIMARY KEY,
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('customer', 'admin')),
  customer_id integer CHECK (customer_id > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'customer') = (customer_id IS NOT NULL))
);
