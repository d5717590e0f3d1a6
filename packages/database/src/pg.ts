import pg from 'pg';
import type { Database, Sql, Tx } from './port.js';

export interface PgOptions {
  /** Connections of this process (each replica has its own pool; mind the server's max_connections). */
  max?: number;
  /** Shown in pg_stat_activity: which service and replica holds a connection. */
  applicationName?: string;
  /** Idle-in-transaction and statement limits, so a stuck client cannot hold row locks forever. */
  statementTimeoutMs?: number;
  onError?: (err: unknown) => void;
}

// SQLSTATEs met while creating a database that another replica creates at the same moment.
const INVALID_CATALOG_NAME = '3D000';
const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';

const codeOf = (err: unknown) => (err as { code?: string } | null)?.code;

/** CREATE DATABASE when it is missing; replicas racing to create it all succeed. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error('the database URL names no database');
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    return;
  } catch (err) {
    if (codeOf(err) !== INVALID_CATALOG_NAME) throw err;
  } finally {
    await probe.end().catch(() => {});
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } catch (err) {
    if (codeOf(err) !== DUPLICATE_DATABASE && codeOf(err) !== UNIQUE_VIOLATION) throw err;
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL through a pooled `pg` client: the distributed runtime's adapter of the database port.
 * The service's database is created when it does not exist yet.
 */
export async function createPgDatabase(url: string, options: PgOptions = {}): Promise<Database> {
  await ensureDatabase(url);
  const statementTimeout = options.statementTimeoutMs ?? 30_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: statementTimeout,
    idle_in_transaction_session_timeout: statementTimeout * 2,
    // a transaction's enqueued statements are sent at once, each behind the one before on its connection
    // (no cursors are used); without it node-postgres queues them and warns that this is deprecated
    pipeline: true,
  } as pg.PoolConfig);
  // An idle connection that breaks (server restart, network) is dropped from the pool; without a
  // listener the error would end the process.
  pool.on('error', (err) => options.onError?.(err));

  const wrap = (q: pg.Pool | pg.PoolClient): Sql => ({
    async query(text, params) {
      const r = await q.query(text, params as unknown[] | undefined);
      return { rows: r.rows, rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(text) {
      await q.query(text);
    },
  });

  return {
    kind: 'pg',
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: unknown;
      try {
        await client.query('BEGIN');
        // node-postgres queues a client's queries in order: an enqueued statement is sent at once and its
        // outcome awaited before the next query's result is given (or before COMMIT)
        let pending: Promise<unknown>[] = [];
        const beforeCommit: Array<() => void | Promise<void>> = [];
        const settle = async () => {
          const all = pending;
          pending = [];
          await Promise.all(all);
        };
        const plain = wrap(client);
        const tx: Tx = {
          async query<R>(text: string, params?: unknown[]) {
            const result = plain.query<R>(text, params);
            result.catch(() => undefined); // when an enqueued statement failed, its error is the one thrown
            await settle();
            return result;
          },
          async exec(text) {
            await settle();
            await plain.exec(text);
          },
          beforeCommit: (hook) => void beforeCommit.push(hook),
          enqueue(text, params) {
            const p = client.query(text, params as unknown[] | undefined);
            p.catch(() => undefined); // awaited by settle(); this keeps it from counting as unhandled meanwhile
            pending.push(p);
          },
        };
        const result = await fn(tx);
        for (const hook of beforeCommit) await hook();
        await settle(); // on failure ROLLBACK below is queued behind what is still pending
        await client.query('COMMIT');
        return result;
      } catch (err) {
        // a connection whose rollback fails is in an unknown state: destroy it rather than reuse it
        await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
          broken = rollbackErr;
        });
        throw err;
      } finally {
        client.release(broken instanceof Error ? broken : broken ? new Error(String(broken)) : undefined);
      }
    },
    close: () => pool.end(),
  };
}
