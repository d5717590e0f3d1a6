// The availability view (searches from memory): whatever order committed changes report back in, each
// flight shows its latest one; what a read returns changes its ETag, and nothing else does.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AvailabilityView } from '../src/availability.js';
import type { Flight } from '../src/domain.js';

const flight = (id: number, remainingSeatsCount = 10): Flight => ({
  id,
  flightCode: `KE${id}`,
  takeoffDate: '2027-01-10',
  cost: 100,
  currency: 'KRW',
  capacity: 10,
  remainingSeatsCount,
  status: 'SCHEDULED',
});

describe('the availability view', () => {
  it('shows each flight as its committed changes left it, in whatever order they report back', () => {
    const writes = fc.array(
      fc.record({
        flightId: fc.integer({ min: 1, max: 3 }),
        remaining: fc.integer({ min: 0, max: 10 }),
        kind: fc.constantFrom('seats', 'seats', 'cancel'),
      }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(
        writes.chain((ws) =>
          fc.tuple(fc.constant(ws), fc.shuffledSubarray([...ws.keys()], { minLength: ws.length, maxLength: ws.length })),
        ),
        ([ws, order]) => {
          // each flight numbers its own changes 2, 3, … (FlightRegistered is 1), as under its row lock;
          // a seat change says how many remain, a cancellation says only that
          const next = new Map<number, number>();
          const changes = ws.map((w) => {
            const flightSeq = (next.get(w.flightId) ?? 1) + 1;
            next.set(w.flightId, flightSeq);
            return w.kind === 'cancel'
              ? { flightId: w.flightId, flightSeq, status: 'CANCELLED' as const }
              : { flightId: w.flightId, flightSeq, remainingSeatsCount: w.remaining };
          });
          const view = new AvailabilityView();
          for (const id of [1, 2, 3]) view.put(flight(id), 1);
          for (const i of order) view.apply(changes[i]!);
          for (const id of [1, 2, 3]) {
            const mine = changes.filter((c) => c.flightId === id);
            const lastSeats = mine.filter((c) => 'remainingSeatsCount' in c).at(-1) as { remainingSeatsCount: number } | undefined;
            expect(view.get(id)?.remainingSeatsCount).toBe(lastSeats?.remainingSeatsCount ?? 10);
            expect(view.get(id)?.status).toBe(mine.some((c) => 'status' in c) ? 'CANCELLED' : 'SCHEDULED');
          }
        },
      ),
    );
  });

  it('ignores a change older than what it holds, and a change of a flight it does not know', () => {
    const view = new AvailabilityView();
    view.put(flight(1), 1);
    view.apply({ flightId: 1, flightSeq: 3, remainingSeatsCount: 4 });
    view.apply({ flightId: 1, flightSeq: 2, remainingSeatsCount: 7 });
    view.put(flight(1, 9), 2); // a row read before the change above
    view.apply({ flightId: 5, flightSeq: 2, remainingSeatsCount: 1 });
    expect(view.get(1)?.remainingSeatsCount).toBe(4);
    expect(view.get(5)).toBeUndefined();
  });

  it('lists flights in registration order as JSON, with an ETag that changes when a flight does and only then', () => {
    const view = new AvailabilityView();
    view.put(flight(2), 1);
    view.put(flight(1), 1);
    const first = view.list();
    expect(JSON.parse(first.json)).toEqual([flight(1), flight(2)]);
    view.apply({ flightId: 1, flightSeq: 1, remainingSeatsCount: 3 }); // not newer: no change
    expect(view.list().etag).toBe(first.etag);
    view.apply({ flightId: 1, flightSeq: 2, remainingSeatsCount: 3 });
    const second = view.list();
    expect(second.etag).not.toBe(first.etag);
    expect(JSON.parse(second.json)[0].remainingSeatsCount).toBe(3);
  });

  it('takes what the flight service emitted: registrations, holds, releases, sell-outs and cancellations', () => {
    const view = new AvailabilityView();
    view.applyEvents([
      {
        type: 'FlightRegistered',
        data: { flightId: 7, flightCode: 'KE7', takeoffDate: '2027-01-10', cost: 100, capacity: 10, remainingSeatsCount: 10, flightSeq: 1 },
      },
    ]);
    view.applyEvents([
      {
        type: 'SeatsReserved',
        data: {
          reservationId: 1,
          customerId: 1,
          flightId: 7,
          seatQty: 3,
          amount: 300,
          remainingSeatsCount: 7,
          holdExpiresAt: '2027-01-01T00:00:00Z',
          flightSeq: 2,
        },
      } as never,
    ]);
    view.applyEvents([
      { type: 'SeatsReleased', data: { reservationId: 1, flightId: 7, seatQty: 3, remainingSeatsCount: 10, flightSeq: 3 } },
    ]);
    view.applyEvents([{ type: 'FlightCancelled', data: { flightId: 7, flightCode: 'KE7', flightSeq: 4 } }]);
    expect(view.get(7)).toEqual({
      id: 7,
      flightCode: 'KE7',
      takeoffDate: '2027-01-10',
      cost: 100,
      currency: 'KRW',
      capacity: 10,
      remainingSeatsCount: 10,
      status: 'CANCELLED',
    });
  });
});
