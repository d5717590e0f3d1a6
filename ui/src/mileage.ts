// The mileage service's answers: the balance, and one ledger row per accrual or reversal.
import { formatMoney } from './format';
import type { LedgerEntry } from './types';

export type { LedgerEntry, MileageAccount } from './types';

/** Newest first, each with a sentence. */
export function ledgerRows(entries: LedgerEntry[]) {
  return [...entries].reverse().map((e) => ({
    key: e.id,
    at: e.occurredAt,
    reservationId: e.reservationId,
    miles: e.miles,
    description:
      e.kind === 'ACCRUAL'
        ? `Earned on a fare of ${formatMoney(e.fare, e.currency)} (${e.rateBasisPoints / 100} %)`
        : `Taken back: the booking was cancelled`,
  }));
}
