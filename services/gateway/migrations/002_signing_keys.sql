-- The key pair that signs the gateway's tokens, made at first start. Kept in the gateway's own
-- database (under DATA_DIR embedded, PostgreSQL in the cluster), so every replica signs with the
-- same key and a restart does not sign everybody out.
CREATE TABLE signing_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL,
  private_jwk jsonb NOT NULL,
  public_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
