// Two replicas of a consumer handle batches that lock the same rows (flights) in opposite delivery
// order. PostgreSQL breaks the deadlock by failing one batch, which is then redone event by event;
// with a lock order the batches take the rows in the same order and both commit at once.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { envelope, type IntegrationEvent } from '@airline/contracts';
import { createPgDatabase, migrate, type Database } from '@airline/database';
import { databaseUrl, dropDatabases, uniqueName } from '@airline/testing';
import { createConsumer, messagingMigration, type ConsumerOptions } from '../src/index.js';

const run = uniqueName('lockorder');
const opened: Database[] = [];
afterAll(async () => {
  for (const db of opened) await db.close();
  await dropDatabases(run);
});

const soldOut = (flightId: number): IntegrationEvent =>
  envelope(
    { type: 'SeatsSoldOut', data: { reservationId: flightId, flightId, seatQty: 1, remainingSeatsCount: 0, reason: 'SOLD_OUT' } },
    { eventId: randomUUID(), occurredAt: new Date().toISOString(), correlationId: randomUUID(), causationId: null },
  );

async function twoReplicasRacing(name: string, lockOrder?: ConsumerOptions['lockOrder']) {
  const [a, b] = await Promise.all([1, 2].map(() => createPgDatabase(databaseUrl(`${run}_${name}`), { max: 2 })));
  opened.push(a!, b!);
  await migrate(a!, [
    messagingMigration,
    {
      name: '001_flights.sql',
      sql: 'CREATE TABLE flights (id int PRIMARY KEY, n int NOT NULL); INSERT INTO flights VALUES (1, 0), (2, 0);',
    },
  ]);
  let runs = 0;
  const replica = (db: Database) =>
    createConsumer({
      db,
      consumer: 'flight',
      lockOrder,
      handlers: {
        async SeatsSoldOut(event, { tx }) {
          runs++;
          await tx.query('UPDATE flights SET n = n + 1 WHERE id = $1', [event.data.flightId]);
          await new Promise((r) => setTimeout(r, 300)); // the other replica takes its first row meanwhile
        },
      },
    });
  const outcomes = await Promise.all([
    replica(a!).handle([soldOut(1), soldOut(2)].map((event) => ({ event, attempt: 1 }))),
    replica(b!).handle([soldOut(2), soldOut(1)].map((event) => ({ event, attempt: 1 }))),
  ]);
  const flights = (await a!.query('SELECT id, n FROM flights ORDER BY id')).rows;
  return { outcomes, runs, flights };
}

describe('consumer batches on shared rows', () => {
  it('without a lock order, racing batches deadlock: one is rolled back and redone event by event', async () => {
    const r = await twoReplicasRacing('unordered');
    expect(r.outcomes).toEqual([
      ['done', 'done'],
      ['done', 'done'],
    ]);
    expect(r.flights).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 2 },
    ]);
    expect(r.runs).toBeGreaterThan(4); // a handler ran again after the rollback
  });

  it('with a lock order, both batches commit as they are, every handler once', async () => {
    const r = await twoReplicasRacing('ordered', (e) => ('flightId' in e.data ? e.data.flightId : 0));
    expect(r.outcomes).toEqual([
      ['done', 'done'],
      ['done', 'done'],
    ]);
    expect(r.flights).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 2 },
    ]);
    expect(r.runs).toBe(4);
  });
});
