// Card data stays with payment (SPEC, PCI): a customer books with distinctive card numbers, through the
// gateway as the owner and on the reservation service's port; then every table of every database, the
// event log, the data files on disk, the logs and every API answer (owner and staff) are searched.
// The numbers are in the processor sandbox's vault and nowhere else.
import { readdirSync, readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@airline/database';
import { eventually, http } from '@airline/testing';
import { DATABASE_NAMES, FREE_PORTS, databaseDirectories, startEmbeddedSystem, type EmbeddedSystem } from '../../runtime/system.js';
import { USERS } from '../../services/gateway/test/support/system.js';
import { gatewayClient, type GatewayClient } from '../../services/gateway/test/support/client.js';

// Luhn-valid, no test card, and with middle digits found nowhere else
const THROUGH_GATEWAY = '4571867530942138';
const ON_SERVICE_PORT = '5520867530917428';
const MISTYPED = '4571867530942139'; // fails Luhn: refused, and not repeated either
const NUMBERS = [THROUGH_GATEWAY, ON_SERVICE_PORT, MISTYPED];
/** The number, or a run of its middle digits (a truncated or reformatted copy would still show). */
const traces = (card: string) => [card, card.slice(6, 12)];

/** What a text says of the numbers: every trace found in it. */
const leaks = (text: string) => NUMBERS.flatMap((n) => traces(n).filter((t) => text.includes(t)));

const logLines: string[] = [];
const logs = pino(
  { level: 'trace' },
  new Writable({
    write: (chunk, _enc, done) => {
      logLines.push(String(chunk));
      done();
    },
  }),
);

const dataDir = mkdtempSync(join(tmpdir(), 'airline-card-data-'));
let system: EmbeddedSystem;
let alice: GatewayClient;
let admin: GatewayClient;
const answers: Array<{ who: string; path: string; body: unknown }> = [];
const placed: number[] = [];

async function tablesOf(db: Database): Promise<string[]> {
  const r = await db.query<{ name: string }>(
    `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS name FROM information_schema.tables
     WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  return r.rows.map((x) => x.name);
}
/** Every row of every table, as text, by table. */
async function dump(db: Database): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const table of await tablesOf(db))
    out.set(table, (await db.query<{ t: string }>(`SELECT t::text AS t FROM ${table} t`)).rows.map((r) => r.t).join('\n'));
  return out;
}
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

beforeAll(async () => {
  system = await startEmbeddedSystem({
    dataDir,
    ports: FREE_PORTS,
    busPollMs: 50,
    log: logs,
    auth: { users: Object.values(USERS) },
    gateway: { rateLimit: false },
  });
  const anonymous = gatewayClient(system.urls.gateway);
  alice = await anonymous.as(USERS.alice.username, USERS.alice.password);
  admin = await anonymous.as(USERS.admin.username, USERS.admin.password);

  const flight = await admin.post('/flights', { flightCode: 'PCI1', takeoffDate: '2026-12-24', cost: 300, capacity: 10 });
  expect(flight.status).toBe(201);
  await eventually(
    () => system.services.reservation.db.query('SELECT 1 FROM flight_catalog WHERE flight_id = $1', [flight.body.id]),
    (q) => q.rowCount === 1,
  );

  // the owner through the gateway, once with an Idempotency-Key (the key's record must not keep the card) and retried
  const headers = { 'idempotency-key': 'pci-booking-1' };
  const first = await alice.post('/reservations', { flightId: flight.body.id, seatQty: 1, card: THROUGH_GATEWAY }, { headers });
  expect(first).toMatchObject({ status: 201, body: { cardLast4: '2138' } });
  expect((await alice.post('/reservations', { flightId: flight.body.id, seatQty: 1, card: THROUGH_GATEWAY }, { headers })).body.id).toBe(
    first.body.id,
  );
  // a second booking that the customer cancels: refund, seats released, notifications
  const second = await alice.post('/reservations', { flightId: flight.body.id, seatQty: 2, card: THROUGH_GATEWAY });
  expect(second.status).toBe(201);
  // on the service port, as the seeds' clients do (group commit, no key)
  const third = await http(system.urls.reservation).post('/reservations', {
    customerId: 1,
    flightId: flight.body.id,
    seatQty: 1,
    card: ON_SERVICE_PORT,
  });
  expect(third).toMatchObject({ status: 201, body: { cardLast4: '7428' } });
  placed.push(first.body.id, second.body.id, third.body.id);
  // a mistyped number is refused before anything is stored, and the answer does not repeat it
  const refused = await alice.post('/reservations', { flightId: flight.body.id, seatQty: 1, card: MISTYPED });
  expect(refused).toMatchObject({ status: 400, body: { field: 'card' } });
  answers.push({ who: 'owner', path: 'POST /reservations (mistyped)', body: refused.body });

  for (const id of placed)
    await eventually(
      () => alice.get(`/reservations/${id}`),
      (r) => r.body.status === 'CONFIRMED',
    );
  expect((await alice.post(`/reservations/${second.body.id}/cancel`)).status).toBe(200);
  await eventually(
    () => alice.get(`/payments?customerId=1`),
    (r) => r.body.some((p: { reservationId: number; status: string }) => p.reservationId === second.body.id && p.status === 'REFUNDED'),
  );
  await eventually(
    () => alice.get(`/reservationHistory?customerId=1`),
    (r) => r.body.some((h: { type: string }) => h.type === 'PaymentRefunded'),
  );
  await eventually(
    () => alice.get(`/mileages/1/ledger`),
    (r) => r.status === 200 && r.body.length >= 4,
  );

  const read = async (who: string, client: { get: (p: string) => Promise<{ status: number; body: unknown }> }, paths: string[]) => {
    for (const path of paths) {
      const r = await client.get(path);
      expect(r.status, `${who} GET ${path}`).toBe(200);
      answers.push({ who, path, body: r.body });
    }
  };
  const perBooking = placed.flatMap((id) => [`/reservations/${id}`, `/reservations/${id}/timeline`, `/payments?reservationId=${id}`]);
  await read('owner', alice, [
    '/reservations?customerId=1',
    `/reservations/by-reference/${first.body.bookingReference}`,
    ...perBooking,
    '/payments?customerId=1',
    '/notifications?customerId=1',
    '/reservationHistory?customerId=1',
    '/mileages/1',
    '/mileages/1/ledger',
  ]);
  await read('staff', admin, [
    '/reservations',
    ...perBooking,
    '/payments',
    '/reservationHistory',
    '/customerInfos',
    '/flightBoard',
    '/dead-letters',
    `/flights/${flight.body.id}/seats`,
  ]);
  await read('service port', http(system.urls.dashboard), ['/reservationHistory', '/customerInfos', '/flightBoard']);
  await read('service port', http(system.urls.reservation), [
    '/reservations',
    '/dead-letters',
    ...placed.map((id) => `/reservations/${id}/timeline`),
  ]);
  await read('service port', http(system.urls.payment), ['/payments', '/dead-letters']);
  await read('service port', http(system.urls.flight), ['/dead-letters']);
});

afterAll(async () => {
  await system?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a full card number is seen only by the processor sandbox', () => {
  it('the processor vault holds the numbers: the search below finds them where they are', async () => {
    const vault = (await dump(system.processorDb)).get('public.payment_methods')!;
    expect(leaks(vault)).toEqual(expect.arrayContaining([THROUGH_GATEWAY, ON_SERVICE_PORT]));
    expect(leaks(vault)).not.toContain(MISTYPED); // refused before the vault
  });

  it('no table of any other database holds them (services, event log, gateway), nor the processor ledger', async () => {
    const found: string[] = [];
    for (const name of DATABASE_NAMES) {
      for (const [table, rows] of await dump(system.databases[name])) {
        if (name === 'payment-processor' && table === 'public.payment_methods') continue; // the vault
        for (const t of leaks(rows)) found.push(`${name} ${table}: ${t}`);
      }
    }
    expect(found).toEqual([]);
    // the tables were read: the events are there, with the token and last four instead
    const log = (await dump(system.busDb)).get('public.event_log')!;
    expect(log).toMatch(/"cardLast4"+: "+2138/); // a row as text doubles the quotes
    expect(log).toMatch(/"paymentMethod"+: "+pm_[A-Za-z0-9_]+/);
  });

  it('no API answer carries them, to the owner or to staff', () => {
    expect(answers.length).toBeGreaterThan(30);
    const found = answers.flatMap((a) => leaks(JSON.stringify(a.body)).map((t) => `${a.who} ${a.path}: ${t}`));
    expect(found).toEqual([]);
    const timeline = answers.find((a) => a.who === 'owner' && a.path === `/reservations/${placed[0]}/timeline`)!.body as {
      steps: Array<{ type: string; data: Record<string, unknown> }>;
    };
    expect(timeline.steps.find((s) => s.type === 'SeatsReserved')!.data).toMatchObject({ cardLast4: '2138', cardBrand: 'visa' });
  });

  it('no log line carries them', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((l) => leaks(l).length > 0)).toEqual([]);
  });

  it('no data file on disk outside the processor holds them (not even a dead row version)', async () => {
    await system.stop(); // everything flushed and closed
    const found: string[] = [];
    // the directories of its layout (the services' schemas share one database, runtime/databases.ts; the vault has its own)
    expect(system.databaseLayout).toBe('schemas');
    for (const name of databaseDirectories(system.databaseLayout).filter((n) => n !== 'payment-processor')) {
      for (const file of filesUnder(join(dataDir, name))) {
        const bytes = readFileSync(file).toString('latin1');
        for (const t of leaks(bytes)) found.push(`${file.slice(dataDir.length)}: ${t}`);
      }
    }
    expect(found).toEqual([]);
    const processorFiles = filesUnder(join(dataDir, 'payment-processor')).map((f) => readFileSync(f).toString('latin1'));
    expect(processorFiles.some((bytes) => bytes.includes(THROUGH_GATEWAY))).toBe(true); // the search works on these files
  });
});
