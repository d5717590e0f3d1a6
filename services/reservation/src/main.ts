// A reservation process of the distributed runtime (environment: packages/service/src/process.ts),
// plus HOLD_TTL_MS (unpaid holds expire after it, default 15 min), MAX_SEATS_PER_BOOKING (default 9) and
// MAX_SEATS_PER_CUSTOMER_ON_FLIGHT (default 18).
import { runServiceProcess } from '@airline/service';
import { bookingLimits, defaultReservationConfig, reservationService } from './index.js';

const holdTtlMs = process.env.HOLD_TTL_MS ? Number(process.env.HOLD_TTL_MS) : defaultReservationConfig.holdTtlMs;
if (!Number.isInteger(holdTtlMs) || holdTtlMs <= 0) throw new Error(`HOLD_TTL_MS must be a positive whole number of ms, not ${process.env.HOLD_TTL_MS}`);

const whole = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
// checked at start: a limit that cannot hold stops the process here, not a booking later
const limits = bookingLimits({ maxSeatsPerBooking: whole('MAX_SEATS_PER_BOOKING'), maxSeatsPerCustomerOnFlight: whole('MAX_SEATS_PER_CUSTOMER_ON_FLIGHT') });

// the saga timeline (GET /reservations/:id/timeline) reads the JetStream stream
await runServiceProcess(reservationService, ({ eventLog }) => ({ ...defaultReservationConfig, holdTtlMs, limits, eventLog }), { port: 8082 });
