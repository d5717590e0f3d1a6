// Where the gateway exposes each service's dead letters to staff.
export interface DeadLetter {
  id: number;
  consumer: string;
  eventId: string;
  eventType: string;
  error: string;
  attempts: number;
  parkedAt: string;
}

export interface RedriveOutcome {
  id: number;
  eventId: string;
  outcome: string;
  error?: string;
}

export const DEAD_LETTER_SERVICES = ['flight', 'reservation', 'payment', 'mileage', 'notification', 'dashboard'] as const;

export const deadLettersPath = (service: string) => `/dead-letters/${encodeURIComponent(service)}`;
