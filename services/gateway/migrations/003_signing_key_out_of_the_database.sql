-- The token signing key no longer lives in the database (a dump, a copy or a loose data file handed it
-- out): it is given (a Secret) or kept in a file of its own (0600). buildGateway moves a key found here
-- to that file before this migration runs (src/auth/signing-key.ts).
DROP TABLE IF EXISTS signing_keys;
