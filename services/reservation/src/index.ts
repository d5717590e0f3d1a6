import { fileURLToPath } from 'node:url';
import { scrubCardsMigration } from '@airline/contracts';
import { migrationsFrom } from '@airline/database';
import { createHttpApp, halRootRoutes } from '@airline/http';
import type { EventLogReader } from '@airline/messaging';
import type { ServiceDefinition } from '@airline/service';
import { prefetchSagaReservations, reservationHandlers } from './handlers.js';
import { holdExpiryWorker } from './hold-expiry.js';
import { httpFlightDirectory } from './flight-directory.js';
import type { PaymentMethods } from './payment-methods.js';
import type { BookingLimits } from './reservation.js';
import { reservationRoutes } from './routes.js';
import { sagaMetrics } from './saga-metrics.js';
import { timelineRoutes } from './timeline.js';

export interface ReservationConfig {
  /** How long seats stay held waiting for payment (SPEC default 15 minutes). */
  holdTtlMs: number;
  /** How often unpaid holds are looked for. */
  expirySweepMs: number;
  /** Read access to the event log, for the saga timeline (without it, the timeline answers 503). */
  eventLog?: EventLogReader;
  /** Draws booking references (default: random); tests force a taken one. */
  drawReference?: () => string;
  /** The flight service, asked when a booking names a flight the local catalog does not know yet (flight-directory.ts). */
  flightUrl?: string;
  /** Tokenises cards sent to POST /reservations (the processor's vault); without it only tokens are taken. */
  paymentMethods?: PaymentMethods;
  /**
   * Seats per booking and per customer on a flight (default 9 and 18; GET /reservations/limits shows
   * them). Set by the composition root (the embedded runtime's `reservation.limits`).
   */
  limits?: Partial<BookingLimits>;
}

export const defaultReservationConfig: ReservationConfig = { holdTtlMs: 15 * 60_000, expirySweepMs: 1_000 };

/** The reservation service: the core domain and the booking saga's start and end (steps 1, 3, 5–8). */
export const reservationService: ServiceDefinition<ReservationConfig> = {
  name: 'reservation',
  // events stored before card tokenisation (outbox, dead letters) lose their card numbers
  migrations: [...migrationsFrom(fileURLToPath(new URL('../migrations', import.meta.url))), scrubCardsMigration()],
  build({ db, clock, relay, consumer, log, onPublished }, config) {
    const app = createHttpApp({ service: 'reservation', log, readiness: { database: () => db.query('SELECT 1') } });
    const saga = sagaMetrics(app.metrics, db, log, config.holdTtlMs);
    onPublished(saga.published);
    halRootRoutes(app, { reservations: '/reservations' });
    const flightDirectory = config.flightUrl ? httpFlightDirectory({ url: config.flightUrl }) : undefined;
    if (flightDirectory) app.addHook('onClose', () => flightDirectory.close());
    reservationRoutes(app, db, clock, relay.kick, { ...config, flightDirectory, onGroupCommitted: saga.groupCommitted });
    timelineRoutes(app, db, config.eventLog);
    if (config.paymentMethods) app.addHook('onClose', () => config.paymentMethods!.close());
    return {
      app,
      consumers: [consumer('reservation', reservationHandlers, { prefetch: prefetchSagaReservations })],
      workers: [holdExpiryWorker(db, clock, config.expirySweepMs, relay.kick, log)],
    };
  },
};

export * from './reservation.js';
export * from './booking-saga.js';
export { bookingLimits, reservationRoutes } from './routes.js';
export * from './payment-methods.js';
export { timelineRoutes } from './timeline.js';

/**
 * The booking limits an operator sets: MAX_SEATS_PER_BOOKING (default 9, as airlines do) and
 * MAX_SEATS_PER_CUSTOMER_ON_FLIGHT (default 18); unset: the defaults (bookingLimits checks the values).
 */
export function bookingLimitsFromEnv(env: Record<string, string | undefined>): Partial<BookingLimits> {
  const limits: Partial<BookingLimits> = {};
  const perBooking = seatCount(env, 'MAX_SEATS_PER_BOOKING');
  const perCustomer = seatCount(env, 'MAX_SEATS_PER_CUSTOMER_ON_FLIGHT');
  if (perBooking !== undefined) limits.maxSeatsPerBooking = perBooking;
  if (perCustomer !== undefined) limits.maxSeatsPerCustomerOnFlight = perCustomer;
  return limits;
}

function seatCount(env: Record<string, string | undefined>, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of seats, not ${JSON.stringify(raw)}`);
  return n;
}
