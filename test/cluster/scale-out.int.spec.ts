// Scale-out and crash on the distributed runtime: three replicas of flight and of reservation share
// their durable consumers (and their ports); under load each event is handled once and no flight is
// overbooked, also when a flight replica is killed (SIGKILL) mid-load and replaced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@airline/testing';
import { book, expectConsistent, registerFlight, startTestCluster, type TestCluster } from './fixture.js';

// what the booking saga needs (not the gateway: these specs talk to the services)
const SERVICES = ['payment-processor', 'flight', 'reservation', 'payment'];
let t: TestCluster;
const flights: number[] = [];
const booked: number[] = [];

beforeAll(async () => {
  // a replica that dies leaves its unacknowledged events to the others after ACK_WAIT_MS
  t = await startTestCluster('scale', { only: SERVICES, replicas: { flight: 3, reservation: 3 }, env: { ACK_WAIT_MS: '5000' } });
});
afterAll(async () => {
  await t?.dispose();
});

describe('scale-out', () => {
  it('books 500 concurrent requests on 3+3 replicas: 450 seats sold, 50 sold out, each event handled once', async () => {
    expect(t.cluster.replicaPids('flight')).toHaveLength(3);
    expect(t.cluster.replicaPids('reservation')).toHaveLength(3);
    const ids5: number[] = [];
    for (let i = 0; i < 5; i++) ids5.push(await registerFlight(t, 90, `SC${i}`));
    flights.push(...ids5);
    const ids = await book(
      t,
      Array.from({ length: 500 }, (_, i) => ({ flightId: ids5[i % 5]! })),
      500,
    );
    booked.push(...ids);
    const final = await expectConsistent(t, ids, ids5);
    expect(final.filter((r) => r.status === 'CONFIRMED')).toHaveLength(450);
    expect(final.filter((r) => r.status === 'CANCELED').map((r) => r.cancelReason)).toEqual(Array(50).fill('SOLD_OUT'));
  });

  it('survives kill -9 of a flight replica in the middle of the load: the replica is replaced, every saga ends, seats add up', async () => {
    const ids3: number[] = [];
    for (let i = 0; i < 3; i++) ids3.push(await registerFlight(t, 100, `CR${i}`));
    flights.push(...ids3);
    const [victim] = t.cluster.replicaPids('flight');
    let killed = false;
    const ids = await book(
      t,
      Array.from({ length: 360 }, (_, i) => ({ flightId: ids3[i % 3]! })),
      40,
      (n) => {
        if (n === 120 && !killed) {
          killed = true;
          process.kill(victim!, 'SIGKILL');
        }
      },
    );
    booked.push(...ids);
    expect(killed).toBe(true);
    const replaced = await eventually(
      async () => t.cluster.replicaPids('flight'),
      (pids) => pids.length === 3 && !pids.includes(victim!),
      { timeoutMs: 30_000 },
    );
    expect(replaced).not.toContain(victim);
    const final = await expectConsistent(t, ids, ids3);
    expect(final.filter((r) => r.status === 'CONFIRMED')).toHaveLength(300);
  });

  it('leaves everything consistent across both loads', async () => {
    await expectConsistent(t, booked, flights);
  });
});
