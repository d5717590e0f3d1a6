import { fileURLToPath } from 'node:url';
import { scrubCardsMigration } from '@airline/contracts';
import { migrationsFrom } from '@airline/database';
import { createHttpApp, halRootRoutes } from '@airline/http';
import { passLoop } from '@airline/outbox';
import type { ServiceDefinition, Worker } from '@airline/service';
import type { Logger } from 'pino';
import { AvailabilityView, feedingView } from './availability.js';
import { flightsChangedSince } from './repository.js';
import { flightRoutes } from './routes.js';
import { prefetchSeats, seatHandlers, seatLockOrder } from './seats.js';

export interface FlightConfig {
  /**
   * How often the availability view reads flights that other replicas changed (ms): the bound on how
   * old a search's seats left can be. Off (0) where this process is the flights' only writer (embedded).
   */
  availabilityRefreshMs?: number;
  /** Currency (ISO 4217) of a fare registered without one; KRW, the seeds' fares, unless configured. */
  defaultCurrency?: string;
  /** Booking closes this many minutes before a scheduled departure (default 60). */
  bookingClosesMinutes?: number;
}

/** The flight service: flights, seat inventory and seat holds (steps 2 and the seat compensations). */
export const flightService: ServiceDefinition<FlightConfig> = {
  name: 'flight',
  // SeatsReserved in the outbox and ReservationPlaced in dead letters lose their card numbers
  migrations: [...migrationsFrom(fileURLToPath(new URL('../migrations', import.meta.url))), scrubCardsMigration()],
  async build({ db, clock, relay, consumer, log }, config) {
    const app = createHttpApp({ service: 'flight', log, readiness: { database: () => db.query('SELECT 1') } });
    const view = new AvailabilityView({ defaultCurrency: config.defaultCurrency });
    const refresh = () => view.refresh((since) => flightsChangedSince(db, since));
    await refresh();
    halRootRoutes(app, { flights: '/flights', airports: '/airports' });
    flightRoutes(app, db, clock, relay.kick, view, {
      defaultCurrency: config.defaultCurrency,
      bookingClosesMinutes: config.bookingClosesMinutes,
    });
    return {
      app,
      consumers: [consumer('flight', feedingView(seatHandlers, view), { lockOrder: seatLockOrder, prefetch: prefetchSeats })],
      workers: config.availabilityRefreshMs ? [availabilityRefresher(refresh, config.availabilityRefreshMs, log)] : [],
    };
  },
};

/** Reads what other replicas changed into the view every `everyMs`. */
function availabilityRefresher(refresh: () => Promise<void>, everyMs: number, log: Logger): Worker {
  // a pass that found nothing to do (0): the loop waits everyMs before the next one
  const pass = async () => {
    await refresh();
    return 0;
  };
  const loop = passLoop(pass, {
    idleMs: everyMs,
    onError: (err) => log.warn({ err }, 'availability refresh failed; the next one retries'),
  });
  return { name: 'availability-refresh', start: loop.start, stop: loop.stop };
}

export * from './domain.js';
export { AvailabilityView } from './availability.js';
export { flightRoutes } from './routes.js';
