// Helpers of the integration tests that use the machine's PostgreSQL and NATS: names no other run uses,
// clean-up, free ports, and a private nats-server a test may stop and start again.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { connect } from 'nats';

/** PostgreSQL server of the integration tests (trust auth), without a database name. */
export const PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A name no other test run uses: lower case letters, digits and `_` (a database name and a stream prefix). */
export const uniqueName = (label: string) => `t_${label}_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`.toLowerCase();

export const databaseUrl = (name: string) => `${PG_URL}/${name}`;

/** Drops every database whose name starts with `prefix` (the databases a test run created). */
export async function dropDatabases(prefix: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl('postgres') });
  await admin.connect();
  try {
    const r = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, [prefix]);
    for (const { datname } of r.rows) await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** One query against a database of the test run. */
export async function queryDatabase<R extends pg.QueryResultRow = Record<string, unknown>>(
  name: string,
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl(name) });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Deletes the stream `<prefix>-events` (and with it its consumers). */
export async function deleteStream(prefix: string, servers = NATS_URL): Promise<void> {
  const nc = await connect({ servers });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(`${prefix}-events`).catch((err: { code?: string }) => {
      if (err.code !== '404') throw err;
    });
  } finally {
    await nc.close();
  }
}

/** A port free on 127.0.0.1 right now: for specs, benchmarks and the local cluster's `ports: 'free'` (the one copy). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface PrivateNats {
  url: string;
  /** Stops the server (SIGTERM, or SIGKILL when hard) and waits for it to exit. */
  stop(hard?: boolean): Promise<void>;
  /** Starts it again on the same port with the same store: streams and consumers survive. */
  start(): Promise<void>;
  /** Stops it and removes its store. */
  destroy(): Promise<void>;
}

/** A nats-server with JetStream of the test's own, on a free port: stopping it disturbs nobody else. */
export async function startPrivateNats(binary = process.env.NATS_SERVER_BIN ?? 'nats-server'): Promise<PrivateNats> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'airline-nats-'));
  let child: ChildProcess | undefined;
  const url = `nats://127.0.0.1:${port}`;

  async function start() {
    child = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const nc = await connect({ servers: url, reconnect: false, timeout: 500 });
        await (await nc.jetstreamManager()).getAccountInfo();
        await nc.close();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`nats-server on ${port} did not come up: ${String(err)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async function stop(hard = false) {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill(hard ? 'SIGKILL' : 'SIGTERM');
    await exited;
  }

  await start();
  return {
    url,
    stop,
    start,
    async destroy() {
      await stop(true);
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
