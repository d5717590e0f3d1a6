// The seeds' own demo (SPEC "The seeds' own demo must run as written"), over HTTP on the service ports,
// with the bodies httpie sends (`key=value` → strings), pasted back to back: no pause, no retry. A booking
// sent right after its flight's registration overtakes FlightRegistered; the reservation service then
// asks the flight service before refusing it (services/reservation/src/flight-directory.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, http } from '@airline/testing';
import { startEmbeddedSystem, FREE_PORTS, type EmbeddedSystem } from '../../runtime/system.js';
import { customerInfosAfter, gaveSeedsOutcome, pasteSeedDemo, SEEDS_OUTCOME } from '../support/seed-demo.js';

const PASTES = 20;

describe('seed demo on the embedded runtime, pasted back to back', () => {
  let system: EmbeddedSystem;
  beforeAll(async () => {
    system = await startEmbeddedSystem({ ports: FREE_PORTS });
  });
  afterAll(() => system?.stop());

  it('books 3 of 5 seats for customer 1, sells out customer 2, leaves 2 seats', async () => {
    const run = await pasteSeedDemo(system.urls);
    expect(run.flightId).toBe(1);
    expect(run).toMatchObject(SEEDS_OUTCOME);
    const all = await http(system.urls.reservation).get<any[]>('/reservations');
    expect(all.body.map((r) => [r.id, r.customerId, r.status, r.cancelReason])).toEqual([
      [1, 1, 'CONFIRMED', null],
      [2, 2, 'CANCELED', 'SOLD_OUT'],
    ]);
    expect(all.body[0].bookingReference).toMatch(/^[A-Z2-9]{6}$/);
    expect((await http(system.urls.flight).get('/flights')).body).toMatchObject([{ id: 1, flightCode: 'ACE890', remainingSeatsCount: 2 }]);
    // http :8085/customerInfos — the dashboard's read model (the same demo through the gateway, with a
    // bearer token, is in services/gateway/test/access.e2e.spec.ts)
    const infos = await customerInfosAfter(system.urls, 1);
    expect(infos.body.map((c) => [c.customerId, c.flightCount, c.recentReserveDate])).toEqual([
      [1, 1, '2024-11-21'],
      [2, 1, '2024-11-22'],
    ]);
  });

  it(`gives the seeds' outcome every time, ${PASTES} pastes in a row`, async () => {
    const runs = [];
    for (let i = 0; i < PASTES; i++) runs.push(await pasteSeedDemo(system.urls, `ACE${900 + i}`));
    expect(runs.filter((r) => !gaveSeedsOutcome(r))).toEqual([]);
    const infos = await customerInfosAfter(system.urls, PASTES + 1);
    expect(infos.body.map((c) => [c.customerId, c.flightCount])).toEqual([
      [1, PASTES + 1],
      [2, PASTES + 1],
    ]);
  });

  it('still refuses a flight that does not exist: 422, nothing placed', async () => {
    const before = (await http(system.urls.reservation).get<any[]>('/reservations')).body.length;
    const res = await http(system.urls.reservation).post('/reservations', { customerId: 1, flightId: 9999, seatQty: 1 });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ title: 'Unknown flight', field: 'flightId' });
    expect((await http(system.urls.reservation).get<any[]>('/reservations')).body.length).toBe(before);
  });
});

describe('a booking of a flight the catalog does not know, while the flight service does not answer', () => {
  let system: EmbeddedSystem;
  beforeAll(async () => {
    // nothing listens there: the reservation service cannot ask the flight service
    system = await startEmbeddedSystem({ ports: FREE_PORTS, reservation: { flightUrl: `http://127.0.0.1:${await freePort()}` } });
  });
  afterAll(() => system?.stop());

  it('is a 503 with Retry-After, not a 422 that says the flight does not exist, and places nothing', async () => {
    const res = await http(system.urls.reservation).post('/reservations', { customerId: 1, flightId: 1, seatQty: 1 });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.body).toMatchObject({ status: 503, field: 'flightId' });
    expect((await http(system.urls.reservation).get<any[]>('/reservations')).body).toEqual([]);
  });
});
