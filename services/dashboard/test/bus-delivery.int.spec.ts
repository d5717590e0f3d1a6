// The dashboard as production feeds it: its consumer (inbox, prefetch, projection) behind a bus whose
// event types overtake each other and whose batches of different types are handled at once, as
// JetStream's one durable consumer per type does (the embedded log with reorderTypes). Whatever order
// the events come in, once the consumer has caught up the read models are those of the log projected
// once, in order.
import { afterAll, describe, expect, it } from 'vitest';
import type { IntegrationEvent } from '@airline/contracts';
import { createPgliteDatabase, migrate, UnitOfWork, type Database } from '@airline/database';
import { createEmbeddedEventBus, type Delivery } from '@airline/messaging';
import { createConsumer, messagingMigration } from '@airline/outbox';
import { eventually } from '@airline/testing';
import { dashboardEventTypes, dashboardHandlers, dashboardService } from '../src/index.js';
import { prefetchProjection, project } from '../src/projector.js';
import { READ_MODEL_TABLES } from '../src/rebuild.js';
import { logOf, outcomes } from './fixtures/saga-log.js';

const opened: Database[] = [];
afterAll(async () => {
  for (const db of opened.reverse()) await db.close();
});
async function database() {
  const db = await createPgliteDatabase();
  opened.push(db);
  await migrate(db, [messagingMigration, ...dashboardService.migrations]);
  return db;
}

async function tables(db: Database) {
  const out: Record<string, unknown[]> = {};
  for (const t of READ_MODEL_TABLES) out[t] = (await db.query(`SELECT * FROM ${t} ORDER BY 1`)).rows;
  return out;
}

describe('the dashboard behind a bus whose event types overtake each other', () => {
  it('gives the read models of the log projected in order, every event delivered once or again', async () => {
    const log = logOf(
      Array.from({ length: 30 }, (_, i) => ({
        customerId: (i % 4) + 1,
        flightId: ((i % 2) + 1) as 1 | 2,
        seatQty: (i % 3) + 1,
        outcome: outcomes[i % outcomes.length]!,
      })),
    );
    const inOrder = await database();
    await inOrder.transaction(async (tx) => {
      const uow = new UnitOfWork(tx);
      for (const e of log) await project(uow, e);
      await uow.flush();
    });

    const live = await database();
    const busDb = await createPgliteDatabase();
    opened.push(busDb);
    const bus = await createEmbeddedEventBus(busDb, {
      reorderTypes: { maxDelayMs: 15 },
      batchSize: 8,
      lingerMs: 0,
      pollMs: 20,
      backoff: () => 20,
    });
    const consumer = createConsumer({ db: live, consumer: 'dashboard', handlers: dashboardHandlers, prefetch: prefetchProjection });
    const delivered: IntegrationEvent[] = [];
    await bus.subscribe({
      ...consumer,
      async handle(batch: Delivery[]) {
        delivered.push(...batch.map((d) => d.event));
        return consumer.handle(batch);
      },
    });
    // published as a relay would, in chunks, some events again (a relay that crashed before deleting them)
    for (let i = 0; i < log.length; i += 5) await bus.publish([...log.slice(i, i + 5), ...(i % 10 === 0 ? log.slice(0, 2) : [])]);
    await eventually(
      () => bus.consumerLag({ consumer: 'dashboard', eventTypes: dashboardEventTypes }),
      (lag) => lag.length === dashboardEventTypes.length && lag.every((l) => l.pending === 0 && l.retrying === 0),
    );
    await bus.close();

    expect(new Set(delivered.map((e) => e.eventId)).size).toBe(log.length);
    expect(await tables(live)).toEqual(await tables(inOrder));
  });
});
