// Broker outage on the distributed runtime, with a NATS server of this spec's own (stopping the shared
// one would disturb everyone else): bookings keep being accepted while NATS is down (their events wait
// in the outboxes), readiness says the broker is down, and once NATS is back everything is delivered,
// each event handled once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startPrivateNats, type PrivateNats } from '@airline/testing';
import { book, expectConsistent, registerFlight, startTestCluster, type TestCluster } from './fixture.js';

let nats: PrivateNats;
// what the booking saga needs (not the gateway: these specs talk to the services)
const SERVICES = ['payment-processor', 'flight', 'reservation', 'payment'];
let t: TestCluster;

beforeAll(async () => {
  nats = await startPrivateNats();
  t = await startTestCluster('outage', { only: SERVICES, natsUrl: nats.url, replicas: { reservation: 2 } });
});
afterAll(async () => {
  await t?.dispose();
  await nats?.destroy();
});

const readiness = async (url: string) => {
  const r = await fetch(`${url}/health/ready`);
  return { status: r.status, body: (await r.json()) as { checks: Record<string, string> } };
};

describe('broker outage', () => {
  it('accepts bookings while NATS is down and completes every saga, once, after it is back', async () => {
    const flights = [await registerFlight(t, 150, 'OUT1'), await registerFlight(t, 150, 'OUT2')];
    let outage: Promise<void> | undefined;
    const ids = await book(
      t,
      Array.from({ length: 240 }, (_, i) => ({ flightId: flights[i % 2]! })),
      8,
      (n) => {
        if (n === 60) outage = nats.stop(); // in the middle of the load
      },
    );
    await outage;

    // down: the services say so, and what was booked meanwhile waits in the outbox
    for (const service of ['flight', 'reservation', 'payment']) {
      const r = await eventually(
        () => readiness(t.cluster.urls[service]!),
        (x) => x.status === 503,
      );
      expect(r.body.checks).toMatchObject({ database: 'UP', broker: expect.stringMatching(/^DOWN/) });
    }
    // (the bookings after the 60th may have been relayed while the server was still shutting down; these cannot)
    const more = await book(
      t,
      Array.from({ length: 20 }, (_, i) => ({ flightId: flights[i % 2]! })),
      4,
    );
    const waiting = await t.sql<{ n: number }>('reservation', 'SELECT count(*)::int AS n FROM outbox');
    expect(waiting[0]!.n).toBeGreaterThanOrEqual(more.length);

    await nats.start();
    for (const service of ['flight', 'reservation', 'payment'])
      await eventually(
        () => readiness(t.cluster.urls[service]!),
        (x) => x.status === 200,
      );
    const final = await expectConsistent(t, [...ids, ...more], flights);
    expect(final.filter((r) => r.status === 'CONFIRMED')).toHaveLength(260);
    expect((await t.sql<{ n: number }>('reservation', 'SELECT count(*)::int AS n FROM outbox'))[0]!.n).toBe(0);
  });
});
