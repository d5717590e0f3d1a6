// A handler that wakes a worker (the payment worker, after SeatsReserved) must wake it after its
// transaction committed: on PostgreSQL a worker that looks earlier does not see the row yet.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { envelope, type IntegrationEvent } from '@airline/contracts';
import { createPgDatabase, migrate, type Database } from '@airline/database';
import { databaseUrl, dropDatabases, uniqueName } from '@airline/testing';
import { createConsumer, messagingMigration } from '../src/index.js';

const run = uniqueName('aftercommit');
let db: Database;
afterAll(async () => {
  await db?.close();
  await dropDatabases(run);
});

const soldOut = (reservationId: number): IntegrationEvent =>
  envelope(
    { type: 'SeatsSoldOut', data: { reservationId, flightId: 1, seatQty: 1, remainingSeatsCount: 0, reason: 'SOLD_OUT' } },
    { eventId: randomUUID(), occurredAt: new Date().toISOString(), correlationId: String(reservationId), causationId: null },
  );

describe('afterCommit', () => {
  it('runs once the handler’s writes are visible to other connections, and not for a rolled-back event', async () => {
    db = await createPgDatabase(databaseUrl(run), { max: 3 });
    await migrate(db, [messagingMigration, { name: '001_work.sql', sql: 'CREATE TABLE work (reservation_id int PRIMARY KEY)' }]);
    const seenByWorker: Array<Promise<number[]>> = [];
    const consumer = createConsumer({
      db,
      consumer: 'payment',
      handlers: {
        async SeatsSoldOut(event, { tx, afterCommit }) {
          await tx.query('INSERT INTO work VALUES ($1)', [event.data.reservationId]);
          // what a worker woken now would find, on a connection of its own
          afterCommit(() =>
            seenByWorker.push(
              db
                .query<{ reservation_id: number }>('SELECT reservation_id FROM work ORDER BY 1')
                .then((r) => r.rows.map((x) => x.reservation_id)),
            ),
          );
          if (event.data.reservationId === 13) throw new Error('cannot handle 13');
        },
      },
    });
    expect(await consumer.handle([{ event: soldOut(1), attempt: 1 }])).toEqual(['done']);
    expect(await consumer.handle([soldOut(2), soldOut(13)].map((event) => ({ event, attempt: 1 })))).toEqual(['done', 'retry']);
    expect(await Promise.all(seenByWorker)).toEqual([[1], [1, 2]]); // 13 rolled back: no wake-up for it
  });
});
