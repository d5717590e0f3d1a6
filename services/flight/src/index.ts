import { fileURLToPath } from 'node:url';
import { scrubCardsMigration } from '@airline/contracts';
import { migrationsFrom } from '@airline/database';
import { createHttpApp } from '@airline/http';
import type { ServiceDefinition } from '@airline/service';
import { flightRoutes } from './routes.js';
import { prefetchHolds, seatHandlers, seatLockOrder } from './seats.js';

export type FlightConfig = Record<string, never>;

/** The flight service: flights, seat inventory and seat holds (steps 2 and the seat compensations). */
export const flightService: ServiceDefinition<FlightConfig> = {
  name: 'flight',
  // SeatsReserved in the outbox and ReservationPlaced in dead letters lose their card numbers
  migrations: [...migrationsFrom(fileURLToPath(new URL('../migrations', import.meta.url))), scrubCardsMigration()],
  build({ db, clock, relay, consumer }) {
    const app = createHttpApp({ service: 'flight', readiness: { database: () => db.query('SELECT 1') } });
    flightRoutes(app, db, clock, relay.kick);
    return { app, consumers: [consumer('flight', seatHandlers, { lockOrder: seatLockOrder, prefetch: prefetchHolds })], workers: [] };
  },
};

export * from './domain.js';
export { flightRoutes } from './routes.js';
