// Rebuilds the read models from the event log (the EventLogReader port: the embedded log, or the
// JetStream stream). The events are projected into fresh tables in a schema of their own while the
// live tables keep serving; then, with the live tables locked (the live consumer waits), the tail of
// the log is projected too and the fresh rows replace the live ones in one transaction. An event the
// live consumer applies again afterwards changes nothing: every projection is idempotent.
import { upcastEvent } from '@airline/contracts';
import { UnitOfWork, type Database, type Tx } from '@airline/database';
import type { EventLogReader } from '@airline/messaging';
import { dashboardEventTypes, lockProjection, project } from './projector.js';

/** The read-model tables, in the order they are copied. */
export const READ_MODEL_TABLES = [
  'dashboard_reservations',
  'customer_infos',
  'flight_board',
  'flight_board_seats',
  'reservation_history',
] as const;

const SHADOW = 'dashboard_rebuild';

export interface ReplayResult {
  events: number;
  /** Position in the log of the last event projected (0: none). */
  lastSeq: number;
}

/** Projects the log's events after `after` into the tables of `schema` ('public' for a fresh database). */
export async function replay(
  db: Database,
  log: EventLogReader,
  options: { schema: string; after?: number; pageSize?: number },
): Promise<ReplayResult> {
  let after = options.after ?? 0;
  let events = 0;
  for (;;) {
    const page = await log.read({ types: dashboardEventTypes, after, limit: options.pageSize ?? 1_000 });
    if (page.length === 0) return { events, lastSeq: after };
    await db.transaction(async (tx) => {
      await projectPage(tx, options.schema, page);
    });
    after = page[page.length - 1]!.seq;
    events += page.length;
  }
}

async function projectPage(tx: Tx, schema: string, page: Awaited<ReturnType<EventLogReader['read']>>) {
  await tx.query(`SELECT set_config('search_path', $1, true)`, [schema]);
  const uow = new UnitOfWork(tx);
  for (const { event } of page) await project(uow, upcastEvent(event)); // a stream may still hold events with card numbers
  await uow.flush();
}

export interface RebuildResult extends ReplayResult {
  tables: Record<(typeof READ_MODEL_TABLES)[number], number>;
  tookMs: number;
}

const running = new WeakSet<Database>();

/** Replaces the live read models with ones rebuilt from the whole log; returns how many rows each table has now. */
export async function rebuildReadModels(db: Database, log: EventLogReader, options: { pageSize?: number } = {}): Promise<RebuildResult> {
  if (running.has(db)) throw new RebuildInProgress();
  running.add(db);
  const started = Date.now();
  try {
    await db.exec(
      `DROP SCHEMA IF EXISTS ${SHADOW} CASCADE; CREATE SCHEMA ${SHADOW};` +
        READ_MODEL_TABLES.map((t) => `CREATE TABLE ${SHADOW}.${t} (LIKE public.${t} INCLUDING ALL);`).join('\n'),
    );
    const bulk = await replay(db, log, { schema: SHADOW, pageSize: options.pageSize });
    return await db.transaction(async (tx) => {
      lockProjection(tx); // the live consumer waits from here (taken before the tables, as it does)
      await tx.exec(`LOCK TABLE ${READ_MODEL_TABLES.map((t) => `public.${t}`).join(', ')} IN EXCLUSIVE MODE`);
      // what was logged since the bulk pass (the live consumer may have applied it already)
      let { lastSeq, events } = bulk;
      for (;;) {
        const tail = await log.read({ types: dashboardEventTypes, after: lastSeq, limit: options.pageSize ?? 1_000 });
        if (tail.length === 0) break;
        await projectPage(tx, SHADOW, tail);
        lastSeq = tail[tail.length - 1]!.seq;
        events += tail.length;
      }
      const tables = {} as RebuildResult['tables'];
      for (const t of READ_MODEL_TABLES) {
        await tx.exec(`TRUNCATE public.${t}; INSERT INTO public.${t} SELECT * FROM ${SHADOW}.${t};`);
        tables[t] = Number((await tx.query<{ n: string }>(`SELECT count(*)::text AS n FROM public.${t}`)).rows[0]!.n);
      }
      await tx.exec(`DROP SCHEMA ${SHADOW} CASCADE`);
      await tx.query(`SELECT set_config('search_path', 'public', true)`);
      return { events, lastSeq, tables, tookMs: Date.now() - started };
    });
  } finally {
    running.delete(db);
  }
}

export class RebuildInProgress extends Error {
  constructor() {
    super('a rebuild of the read models is already running');
    this.name = 'RebuildInProgress';
  }
}
