// A flight process of the distributed runtime: `DATABASE_URL=… NATS_URL=… tsx services/flight/src/main.ts`
// (environment: packages/service/src/process.ts), plus AVAILABILITY_REFRESH_MS: how often a replica reads
// the flights other replicas changed into its availability view (default 250; the bound on how old
// the seats left of a search can be), DEFAULT_CURRENCY (ISO 4217 of fares registered without one, default
// KRW) and BOOKING_CLOSES_MINUTES (before a scheduled departure, default 60).
import { runServiceProcess } from '@airline/service';
import { flightService } from './index.js';

const availabilityRefreshMs = Number(process.env.AVAILABILITY_REFRESH_MS ?? 250);
if (!Number.isInteger(availabilityRefreshMs) || availabilityRefreshMs < 1 || availabilityRefreshMs > 1000) {
  throw new Error(`AVAILABILITY_REFRESH_MS must be a whole number of ms from 1 to 1000, not ${process.env.AVAILABILITY_REFRESH_MS}`);
}
const defaultCurrency = process.env.DEFAULT_CURRENCY ?? 'KRW';
if (!/^[A-Z]{3}$/.test(defaultCurrency) || !Intl.supportedValuesOf('currency').includes(defaultCurrency))
  throw new Error(`DEFAULT_CURRENCY must be an ISO 4217 code, not ${defaultCurrency}`);
const bookingClosesMinutes = Number(process.env.BOOKING_CLOSES_MINUTES ?? 60);
if (!Number.isInteger(bookingClosesMinutes) || bookingClosesMinutes < 0 || bookingClosesMinutes > 7 * 24 * 60) {
  throw new Error(`BOOKING_CLOSES_MINUTES must be a whole number of minutes from 0 to 10080, not ${process.env.BOOKING_CLOSES_MINUTES}`);
}
await runServiceProcess(flightService, { availabilityRefreshMs, defaultCurrency, bookingClosesMinutes }, { port: 8083 });
