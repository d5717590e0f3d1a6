// The events behind the staff chart: when bookings were placed, confirmed and cancelled, read from the
// dashboard's reservation history (every customer's, for staff).
import { api, qs } from './api';
import type { HistoryEntry as FullHistoryEntry } from './types';

export interface OutcomeEvent {
  at: number;
  kind: 'placed' | 'confirmed' | 'canceled';
}

/** The fields of the dashboard's history entries the chart reads. */
export type HistoryEntry = Pick<FullHistoryEntry, 'eventId' | 'reservationId' | 'customerId' | 'type' | 'occurredAt' | 'summary'>;

const KIND: Record<string, OutcomeEvent['kind']> = {
  ReservationPlaced: 'placed',
  ReservationConfirmed: 'confirmed',
  ReservationCancelled: 'canceled',
};

/** The most the history endpoint returns in one answer. */
export const HISTORY_LIMIT = 10_000;

export function outcomeEvents(entries: HistoryEntry[]): OutcomeEvent[] {
  return entries.flatMap((e) => {
    const kind = KIND[e.type];
    const at = Date.parse(e.occurredAt);
    return kind && !Number.isNaN(at) ? [{ at, kind }] : [];
  });
}

/** The history answers oldest first, at most HISTORY_LIMIT entries: `truncated` says the newest may be missing. */
export async function loadOutcomeEvents(signal: AbortSignal): Promise<{ events: OutcomeEvent[]; truncated: boolean }> {
  const entries = await api.get<HistoryEntry[]>(`/reservationHistory${qs({ limit: HISTORY_LIMIT })}`, { signal });
  return { events: outcomeEvents(entries), truncated: entries.length >= HISTORY_LIMIT };
}
