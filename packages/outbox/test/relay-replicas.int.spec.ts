// The outbox relay with several replicas of a service on one PostgreSQL database: rows are claimed
// with FOR UPDATE SKIP LOCKED and deleted in the transaction that publishes them, so racing replicas
// never publish a row twice, and a failed publish leaves the rows for the next pass.
import { afterAll, describe, expect, it } from 'vitest';
import type { IntegrationEvent } from '@airline/contracts';
import { createPgDatabase, migrate, type Database } from '@airline/database';
import type { EventBus } from '@airline/messaging';
import { databaseUrl, dropDatabases, eventually, uniqueName } from '@airline/testing';
import { appendToOutbox, createOutboxRelay, messagingMigration, type OutboxRelay } from '../src/index.js';

const run = uniqueName('relay');
const opened: Database[] = [];
afterAll(async () => {
  for (const db of opened) await db.close();
  await dropDatabases(run);
});

/** A bus that records every publish call per eventId; `failRate` of the calls fail before sending anything. */
function recordingBus(failRate = 0) {
  const published = new Map<string, number>();
  const bus: Pick<EventBus, 'publish'> = {
    async publish(events: IntegrationEvent[]) {
      await new Promise((r) => setTimeout(r, Math.random() * 5));
      if (Math.random() < failRate) throw new Error('broker unavailable');
      for (const e of events) published.set(e.eventId, (published.get(e.eventId) ?? 0) + 1);
    },
  };
  return { bus, published };
}

async function replicaDbs(name: string, replicas: number) {
  const dbs = await Promise.all(Array.from({ length: replicas }, () => createPgDatabase(databaseUrl(name), { max: 4 })));
  opened.push(...dbs);
  await migrate(dbs[0]!, [messagingMigration]);
  return dbs;
}

/** Writers commit events (one per transaction, like requests do) and kick a relay, as a service does. */
async function write(dbs: Database[], relays: OutboxRelay[], writers: number, perWriter: number) {
  const ids: string[] = [];
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < perWriter; i++) {
        const reservationId = w * perWriter + i + 1;
        const [e] = await dbs[w % dbs.length]!.transaction((tx) =>
          appendToOutbox(
            tx,
            [{ type: 'SeatsSoldOut', data: { reservationId, flightId: 1, seatQty: 1, remainingSeatsCount: 0, reason: 'SOLD_OUT' } }],
            {
              correlationId: String(reservationId),
              causationId: null,
            },
          ),
        );
        ids.push(e!.eventId);
        relays[w % relays.length]!.kick();
      }
    }),
  );
  return ids;
}

describe('outbox relay with replicas on PostgreSQL', () => {
  it('publishes every committed event exactly once while three replicas race for the outbox', async () => {
    const dbs = await replicaDbs(`${run}_race`, 3);
    const { bus, published } = recordingBus();
    const relays = dbs.map((db) => createOutboxRelay(db, bus, { batchSize: 25, pollMs: 20 }));
    for (const r of relays) r.start();
    const ids = await write(dbs, relays, 24, 60);
    await eventually(
      async () => published.size,
      (n) => n === ids.length,
      { timeoutMs: 60_000 },
    );
    await Promise.all(relays.map((r) => r.stop()));
    expect([...published.values()].filter((n) => n !== 1)).toEqual([]);
    expect([...published.keys()].sort()).toEqual([...ids].sort());
    expect((await dbs[0]!.query('SELECT count(*)::int AS n FROM outbox')).rows).toEqual([{ n: 0 }]);
  });

  it('keeps the rows of a failed publish and publishes them on a later pass, still once each', async () => {
    const dbs = await replicaDbs(`${run}_flaky`, 2);
    const { bus, published } = recordingBus(0.4);
    const errors: unknown[] = [];
    const relays = dbs.map((db) => createOutboxRelay(db, bus, { batchSize: 10, pollMs: 20, onError: (e) => errors.push(e) }));
    for (const r of relays) r.start();
    const ids = await write(dbs, relays, 8, 40);
    await eventually(
      async () => published.size,
      (n) => n === ids.length,
      { timeoutMs: 60_000 },
    );
    await Promise.all(relays.map((r) => r.stop()));
    expect(errors.length).toBeGreaterThan(0);
    expect([...published.values()].filter((n) => n !== 1)).toEqual([]);
    expect((await dbs[0]!.query('SELECT count(*)::int AS n FROM outbox')).rows).toEqual([{ n: 0 }]);
  });
});
