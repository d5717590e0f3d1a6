// Mileage rules, pure (SPEC step 9): a confirmed reservation earns miles, a cancelled confirmed one
// gives the same miles back. The ledger holds at most one entry per reservation and kind, so whatever
// is delivered twice, replayed or delivered out of order, the balance is the sum of its entries.
import { UNSTATED_CURRENCY, type ReservationCancelled, type ReservationConfirmed } from '@airline/contracts';

/** Miles per fare, in basis points of the amount paid: 1000 = 10 % (one mile per 10 currency units). */
export const DEFAULT_RATE_BASIS_POINTS = 1_000;

export type LedgerKind = 'ACCRUAL' | 'REVERSAL';

export interface LedgerEntry {
  customerId: number;
  reservationId: number;
  kind: LedgerKind;
  /** Positive for an accrual, negative for a reversal. */
  miles: number;
  /** The fare the miles were computed from, in minor units of currency. */
  fare: number;
  /** ISO 4217 code of fare (an event that states none was in the seeds' KRW). */
  currency: string;
  rateBasisPoints: number;
  eventId: string;
  occurredAt: string;
}

/** Whole miles for a fare, rounded down; integer arithmetic so 29 % of 100 is 29, not 28.999…. */
export function milesFor(fare: number, rateBasisPoints: number): number {
  if (!Number.isSafeInteger(fare) || fare < 0) throw new RangeError(`fare must be a non-negative integer, got ${fare}`);
  if (!Number.isInteger(rateBasisPoints) || rateBasisPoints < 0)
    throw new RangeError(`rate must be a non-negative integer of basis points, got ${rateBasisPoints}`);
  return Math.floor((fare * rateBasisPoints) / 10_000);
}

/** `MILEAGE_RATE_PERCENT=2.5` → 250 basis points. */
export function rateFromPercent(percent: number): number {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100)
    throw new RangeError(`mileage rate must be a percentage between 0 and 100, got ${percent}`);
  return Math.round(percent * 100);
}

type MileageEvent = ReservationConfirmed | ReservationCancelled;

/**
 * The ledger entry an event asks for, or null when it earns or costs nothing.
 * `accrued` is the reservation's accrual already in the ledger: a reversal takes back exactly those
 * miles (even if the rate changed since); when the cancel is seen before the confirm, it takes back
 * what the confirm will give, computed from the same fare.
 */
export function ledgerEntryFor(
  event: MileageEvent,
  accrued: Pick<LedgerEntry, 'miles' | 'rateBasisPoints'> | undefined,
  rateBasisPoints: number,
): LedgerEntry | null {
  const base = {
    customerId: event.data.customerId,
    reservationId: event.data.reservationId,
    fare: event.data.amount,
    currency: event.data.currency ?? UNSTATED_CURRENCY,
    eventId: event.eventId,
    occurredAt: event.occurredAt,
  };
  switch (event.type) {
    case 'ReservationConfirmed':
      return { ...base, kind: 'ACCRUAL', miles: milesFor(event.data.amount, rateBasisPoints), rateBasisPoints };
    case 'ReservationCancelled': {
      if (event.data.previousStatus !== 'CONFIRMED') return null; // never confirmed: never earned
      const rate = accrued?.rateBasisPoints ?? rateBasisPoints;
      const miles = accrued?.miles ?? milesFor(event.data.amount, rate);
      return { ...base, kind: 'REVERSAL', miles: -miles, rateBasisPoints: rate };
    }
    default: {
      const unknown: never = event;
      throw new Error(`no mileage rule for ${JSON.stringify(unknown)}`);
    }
  }
}

export interface MileageAccount {
  customerId: number;
  balance: number;
  accrued: number;
  reversed: number;
}

/** The account of a customer from their ledger entries. */
export function accountOf(customerId: number, entries: Array<Pick<LedgerEntry, 'miles'>>): MileageAccount {
  let accrued = 0;
  let reversed = 0;
  for (const e of entries) {
    if (e.miles >= 0) accrued += e.miles;
    else reversed -= e.miles;
  }
  return { customerId, balance: accrued - reversed, accrued, reversed };
}
