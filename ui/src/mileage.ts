// The mileage service's answers: the balance, and one ledger row per accrual or reversal.
import { formatMoney } from './format';

export interface MileageAccount {
  customerId: number;
  balance: number;
  accrued: number;
  reversed: number;
}

export interface LedgerEntry {
  id: number;
  customerId: number;
  reservationId: number;
  kind: 'ACCRUAL' | 'REVERSAL';
  /** positive for an accrual, negative for a reversal */
  miles: number;
  fare: number;
  rateBasisPoints: number;
  eventId: string;
  occurredAt: string;
}

/** Newest first, each with a sentence. */
export function ledgerRows(entries: LedgerEntry[]) {
  return [...entries].reverse().map((e) => ({
    key: e.id,
    at: e.occurredAt,
    reservationId: e.reservationId,
    miles: e.miles,
    description:
      e.kind === 'ACCRUAL'
        ? `Earned on a fare of ${formatMoney(e.fare)} (${e.rateBasisPoints / 100} %)`
        : `Taken back: the booking was cancelled`,
  }));
}
