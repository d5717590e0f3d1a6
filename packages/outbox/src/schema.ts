import type { Migration } from '@airline/database';

/** Tables every service database has: the outbox it publishes from, the inbox and dead letters of its consumers. */
export const messagingMigration: Migration = {
  name: '000_messaging.sql',
  sql: `
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  type text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE inbox (
  consumer text NOT NULL,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  handled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
CREATE TABLE dead_letters (
  id bigserial PRIMARY KEY,
  consumer text NOT NULL,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  payload jsonb NOT NULL,
  error text NOT NULL,
  attempts int NOT NULL,
  parked_at timestamptz NOT NULL DEFAULT now(),
  redriven_at timestamptz,
  UNIQUE (consumer, event_id)
);`,
};
