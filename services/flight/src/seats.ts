// Inbound events of the flight service: the seat side of the booking saga.
import type { IntegrationEvent } from '@airline/contracts';
import type { QueryResult, Statement, Tx } from '@airline/database';
import type { BatchHandler, HandlerContext } from '@airline/outbox';
import { answerToPlacement, releasable, seatsReleased } from './domain.js';
import { findHold, insertHold, lockHolds, returnSeats, seatsReturned, seatsTaken, setHoldStatus, takeSeats } from './repository.js';

/**
 * The seat statements lock the flight's row (takeSeats, returnSeats): a batch applies its events in flight
 * order, so replicas handling batches over the same flights cannot deadlock.
 */
export const seatLockOrder = (event: IntegrationEvent) => ('flightId' in event.data ? event.data.flightId : 0);

/** The holds of a batch's reservations, locked and read in one statement (before any flight row). */
export const prefetchHolds = (tx: Tx, events: IntegrationEvent[]) => lockHolds(tx, events.flatMap((e) => ('reservationId' in e.data ? [e.data.reservationId] : [])));


/**
 * What one event does to seats and holds. Its seat statement (if any) is sent with those of the events
 * around it; `answered` runs once the results are back, in event order.
 */
interface SeatStep {
  statement: Statement;
  answered: (result: QueryResult<Record<string, unknown>>) => Promise<void>;
}

async function seatStep(tx: Tx, event: IntegrationEvent, ctx: HandlerContext): Promise<SeatStep | undefined> {
  switch (event.type) {
    /** Step 2: hold the seats, or answer that they are sold out. */
    case 'ReservationPlaced': {
      const placed = event.data;
      if (await findHold(tx, placed.reservationId)) return undefined; // answered before, or cancelled before it got here
      return {
        statement: takeSeats(placed.flightId, placed.seatQty),
        async answered(result) {
          const taken = seatsTaken(result, placed.flightId);
          insertHold(tx, placed.reservationId, { flight_id: placed.flightId, seat_qty: placed.seatQty, status: taken.held ? 'HELD' : 'REJECTED' });
          await ctx.emit(answerToPlacement(placed, taken.held ? { held: true, remainingSeatsCount: taken.remainingSeatsCount } : { held: false, flight: taken }));
        },
      };
    }
    /** Step 5: the held seats are sold. */
    case 'ReservationConfirmed':
      await setHoldStatus(tx, event.data.reservationId, 'SOLD', ['HELD']);
      return undefined;
    /** Compensation: give held or sold seats back; a cancel that overtakes its placement leaves a tombstone. */
    case 'ReservationCancelled': {
      const c = event.data;
      const hold = await findHold(tx, c.reservationId);
      if (!hold) {
        insertHold(tx, c.reservationId, { flight_id: c.flightId, seat_qty: 0, status: 'RELEASED' });
        return undefined;
      }
      if (!releasable(hold.status)) return undefined;
      await setHoldStatus(tx, c.reservationId, 'RELEASED');
      return {
        statement: returnSeats(hold.flight_id, hold.seat_qty),
        answered: (result) => ctx.emit(seatsReleased({ ...c, seatQty: hold.seat_qty }, seatsReturned(result, hold.flight_id))),
      };
    }
    default:
      throw new Error(`the flight's seat consumer has no handler for ${event.type}`);
  }
}

/**
 * The batch's seat statements go to the database together, one round trip for many holds, in event
 * order: each is still its own conditional UPDATE and sees the ones before it, exactly as one after
 * another. Only an event on a reservation already in the round trip (a cancel after its own placement)
 * depends on an answer not back yet; it starts the next round trip.
 */
export const seatHandler: BatchHandler = {
  eventTypes: ['ReservationPlaced', 'ReservationConfirmed', 'ReservationCancelled'],
  async apply(tx, events, context) {
    let i = 0;
    while (i < events.length) {
      const reservations = new Set<number>();
      const steps: SeatStep[] = [];
      for (; i < events.length; i++) {
        const event = events[i]!;
        const reservationId = 'reservationId' in event.data ? event.data.reservationId : undefined;
        if (reservationId !== undefined && reservations.has(reservationId)) break;
        if (reservationId !== undefined) reservations.add(reservationId);
        const step = await seatStep(tx, event, context(event));
        if (step) steps.push(step);
      }
      const results = await tx.queryAll(steps.map((s) => s.statement));
      for (let k = 0; k < steps.length; k++) await steps[k]!.answered(results[k]!);
    }
  },
};
