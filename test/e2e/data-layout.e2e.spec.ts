// How the embedded runtime lays its databases out under DATA_DIR (runtime/databases.ts): a new DATA_DIR
// gets three PGlite instances (the services' schemas, the event log, the processor's vault); one written
// by an older version, one instance per database, opens as it is and keeps its data; and the offline
// rebuild of the dashboard's read models works on both.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, internalHttp } from '@airline/testing';
import { FREE_PORTS, databaseDirectories, startEmbeddedSystem, type DatabaseLayout } from '../../runtime/system.js';

const root = mkdtempSync(join(tmpdir(), 'airline-data-layout-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Starts the system on `dataDir`, books one seat and waits for its confirmation; returns the booking's id. */
async function bookOnce(dataDir: string, dbLayout?: DatabaseLayout) {
  const system = await startEmbeddedSystem({ dataDir, ports: FREE_PORTS, busPollMs: 50, dbLayout });
  try {
    const api = internalHttp(system.urls);
    const flight = await api.post('/flights', { flightCode: 'LAY1', takeoffDate: '2026-12-24', cost: 10, capacity: 5 });
    expect(flight.status).toBe(201);
    const booked = await eventually(
      () => api.post('/reservations', { customerId: 1, flightId: flight.body.id, seatQty: 1 }),
      (r) => r.status === 201,
    );
    await eventually(
      () => api.get(`/reservations/${booked.body.id}`),
      (r) => r.body.status === 'CONFIRMED',
    );
    await eventually(
      () => api.get('/reservationHistory?customerId=1'),
      (r) => r.status === 200 && r.body.length > 0,
    );
    return { id: booked.body.id as number, flightId: flight.body.id as number, layout: system.databaseLayout };
  } finally {
    await system.stop();
  }
}

/** `npm run rebuild -- dashboard --offline` on a stopped system's DATA_DIR. */
async function rebuildOffline(dataDir: string) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'runtime/rebuild.ts', 'dashboard', '--offline', '--data-dir', dataDir, '--json'],
    { timeout: 120_000 },
  );
  return JSON.parse(stdout) as { events: number; tables: Record<string, number> };
}

describe('the databases under DATA_DIR', () => {
  it('a new DATA_DIR holds three databases: the services (a schema each), the event log, the processor vault; rebuilt offline', async () => {
    const dataDir = join(root, 'new');
    const { layout } = await bookOnce(dataDir);
    expect(layout).toBe('schemas');
    expect(
      readdirSync(dataDir)
        .filter((f) => existsSync(join(dataDir, f, 'PG_VERSION')))
        .sort(),
    ).toEqual([...databaseDirectories('schemas')].sort());
    const rebuilt = await rebuildOffline(dataDir);
    expect(rebuilt.events).toBeGreaterThan(0);
    expect(rebuilt.tables.reservation_history).toBeGreaterThan(0);
  });

  it('an older DATA_DIR (one database per directory) opens in its own layout: its bookings are there after the upgrade, and it is rebuilt offline', async () => {
    const dataDir = join(root, 'older');
    const before = await bookOnce(dataDir, 'instances'); // as an older version wrote it
    expect(before.layout).toBe('instances');
    expect(existsSync(join(dataDir, 'reservation', 'PG_VERSION'))).toBe(true);

    const system = await startEmbeddedSystem({ dataDir, ports: FREE_PORTS, busPollMs: 50 }); // the default asks for schemas
    try {
      expect(system.databaseLayout).toBe('instances');
      const api = internalHttp(system.urls);
      expect((await api.get(`/reservations/${before.id}`)).body).toMatchObject({ id: before.id, status: 'CONFIRMED' });
      // and it keeps working: a new booking on the old layout
      const again = await api.post('/reservations', { customerId: 2, flightId: before.flightId, seatQty: 1 });
      expect(again.status).toBe(201);
      await eventually(
        () => api.get(`/reservations/${again.body.id}`),
        (r) => r.body.status === 'CONFIRMED',
      );
    } finally {
      await system.stop();
    }
    expect(existsSync(join(dataDir, 'services'))).toBe(false); // nothing of the other layout was made beside it
    const rebuilt = await rebuildOffline(dataDir);
    expect(rebuilt.tables.reservation_history).toBeGreaterThan(0);
  });
});
