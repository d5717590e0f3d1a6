// Inbound events of the mileage service (SPEC step 9). The inbox drops a redelivered event; the
// ledger's unique (reservation, kind) also absorbs a replay of the whole log into a fresh inbox.
import type { EventHandlers } from '@airline/outbox';
import { ledgerEntryFor } from './mileage.js';
import { findAccrual, recordEntry } from './repository.js';

export function mileageHandlers(rateBasisPoints: number): EventHandlers {
  return {
    /** A paid booking earns miles. */
    async ReservationConfirmed(event, { tx }) {
      const entry = ledgerEntryFor(event, undefined, rateBasisPoints);
      if (entry) recordEntry(tx, entry);
    },
    /** A cancelled confirmed booking (customer, flight cancelled) gives them back. */
    async ReservationCancelled(event, { tx }) {
      if (event.data.previousStatus !== 'CONFIRMED') return;
      const entry = ledgerEntryFor(event, await findAccrual(tx, event.data.reservationId), rateBasisPoints);
      if (entry) recordEntry(tx, entry);
    },
  };
}
