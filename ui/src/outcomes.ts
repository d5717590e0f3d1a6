// The events behind the staff chart: when bookings were placed, confirmed and cancelled.
import { api } from './api';

export interface OutcomeEvent {
  at: number;
  kind: 'placed' | 'confirmed' | 'canceled';
}

type HistoryEntry = { type?: string; eventType?: string; occurredAt?: string; [key: string]: unknown };

const KIND: Record<string, OutcomeEvent['kind']> = { ReservationPlaced: 'placed', ReservationConfirmed: 'confirmed', ReservationCancelled: 'canceled' };

export function outcomeEvents(entries: HistoryEntry[]): OutcomeEvent[] {
  return entries.flatMap((e) => {
    const kind = KIND[e.type ?? e.eventType ?? ''];
    const at = Date.parse(e.occurredAt ?? '');
    return kind && !Number.isNaN(at) ? [{ at, kind }] : [];
  });
}

export async function loadOutcomeEvents(signal: AbortSignal): Promise<OutcomeEvent[]> {
  return outcomeEvents(await api.get<HistoryEntry[]>('/reservationHistory', { signal }));
}
