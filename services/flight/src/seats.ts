// Inbound events of the flight service: the seat side of the booking saga.
import type { IntegrationEvent } from '@airline/contracts';
import type { Tx } from '@airline/database';
import type { EventHandlers } from '@airline/outbox';
import { answerToPlacement, releasable, seatsReleased } from './domain.js';
import { findHold, insertHold, lockHolds, refuseSeats, returnSeats, setHoldStatus, takeSeats } from './repository.js';

/**
 * The seat handlers lock the flight's row (takeSeats, refuseSeats, returnSeats): a batch applies its events in flight
 * order, so replicas handling batches over the same flights cannot deadlock.
 */
export const seatLockOrder = (event: IntegrationEvent) => ('flightId' in event.data ? event.data.flightId : 0);

/** The holds of a batch's reservations, locked and read in one statement (before any flight row). */
export const prefetchHolds = (tx: Tx, events: IntegrationEvent[]) => lockHolds(tx, events.flatMap((e) => ('reservationId' in e.data ? [e.data.reservationId] : [])));

export const seatHandlers: EventHandlers = {
  /** Step 2: hold the seats, or answer that they are sold out. */
  async ReservationPlaced(event, { tx, emit }) {
    const placed = event.data;
    if (await findHold(tx, placed.reservationId)) return; // answered before, or cancelled before it got here
    const taken = await takeSeats(tx, placed.flightId, placed.seatQty);
    insertHold(tx, placed.reservationId, { flight_id: placed.flightId, seat_qty: placed.seatQty, status: taken ? 'HELD' : 'REJECTED' });
    if (taken) {
      await emit(answerToPlacement(placed, { held: true, ...taken }));
      return;
    }
    const refused = await refuseSeats(tx, placed.flightId);
    if (!refused) throw new Error(`ReservationPlaced for unknown flight ${placed.flightId}`);
    await emit(answerToPlacement(placed, { held: false, ...refused }));
  },

  /** Step 5: the held seats are sold. */
  async ReservationConfirmed(event, { tx }) {
    await setHoldStatus(tx, event.data.reservationId, 'SOLD', ['HELD']);
  },

  /** Compensation: give held or sold seats back; a cancel that overtakes its placement leaves a tombstone. */
  async ReservationCancelled(event, { tx, emit }) {
    const c = event.data;
    const hold = await findHold(tx, c.reservationId);
    if (!hold) {
      insertHold(tx, c.reservationId, { flight_id: c.flightId, seat_qty: 0, status: 'RELEASED' });
      return;
    }
    if (!releasable(hold.status)) return;
    await setHoldStatus(tx, c.reservationId, 'RELEASED');
    await emit(seatsReleased({ ...c, seatQty: hold.seat_qty }, await returnSeats(tx, hold.flight_id, hold.seat_qty)));
  },
};
