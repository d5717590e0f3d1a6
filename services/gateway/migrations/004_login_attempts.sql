-- Recent failed sign-ins per account (the username as typed, whether or not it exists) and source (an
-- IPv4 address or an IPv6 /64): the login throttle's state, shared by the gateway's replicas
-- (src/auth/login-throttle.ts). Rows are forgotten a while after their last failure.
CREATE TABLE login_attempts (
  username text NOT NULL,
  source text NOT NULL,
  failures integer NOT NULL,
  last_at_ms bigint NOT NULL,
  PRIMARY KEY (username, source)
);
CREATE INDEX login_attempts_last_at ON login_attempts (last_at_ms);
