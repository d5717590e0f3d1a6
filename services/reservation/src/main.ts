// A reservation process of the distributed runtime (environment: packages/service/src/process.ts),
// plus HOLD_TTL_MS (unpaid holds expire after it, default 15 min), FLIGHT_URL (the flight service, asked
// about a flight the local catalog does not know yet; default the seed port :8083) and PAYMENT_PROCESSOR_URL
// (tokenises the cards sent to POST /reservations, default the sandbox on :8089), MAX_SEATS_PER_BOOKING
// and MAX_SEATS_PER_CUSTOMER_ON_FLIGHT (booking limits, default 9 and 18; GET /reservations/limits).
import { runServiceProcess } from '@airline/service';
import { bookingLimitsFromEnv, defaultReservationConfig, httpPaymentMethods, reservationService } from './index.js';

const holdTtlMs = process.env.HOLD_TTL_MS ? Number(process.env.HOLD_TTL_MS) : defaultReservationConfig.holdTtlMs;
if (!Number.isInteger(holdTtlMs) || holdTtlMs <= 0)
  throw new Error(`HOLD_TTL_MS must be a positive whole number of ms, not ${process.env.HOLD_TTL_MS}`);

// the saga timeline (GET /reservations/:id/timeline) reads the JetStream stream
const limits = bookingLimitsFromEnv(process.env);
const paymentMethods = httpPaymentMethods({ url: process.env.PAYMENT_PROCESSOR_URL ?? 'http://127.0.0.1:8089' });
await runServiceProcess(
  reservationService,
  ({ eventLog }) => ({
    ...defaultReservationConfig,
    holdTtlMs,
    limits,
    eventLog,
    paymentMethods,
    flightUrl: process.env.FLIGHT_URL ?? 'http://127.0.0.1:8083',
  }),
  { port: 8082 },
);
