import { fileURLToPath } from 'node:url';
import { migrationsFrom } from '@airline/database';
import { createHttpApp } from '@airline/http';
import type { ServiceDefinition } from '@airline/service';
import { flightRoutes } from './routes.js';
import { prefetchHolds, seatHandlers, seatLockOrder } from './seats.js';

export type FlightConfig = Record<string, never>;

/** The flight service: flights, seat inventory and seat holds (steps 2 and the seat compensations). */
export const flightService: ServiceDefinition<FlightConfig> = {
  name: 'flight',
  migrations: migrationsFrom(fileURLToPath(new URL('../migrations', import.meta.url))),
  build({ db, clock, relay, consumer, log }) {
    const app = createHttpApp({ service: 'flight', log, readiness: { database: () => db.query('SELECT 1') } });
    flightRoutes(app, db, clock, relay.kick);
    return { app, consumers: [consumer('flight', seatHandlers, { lockOrder: seatLockOrder, prefetch: prefetchHolds })], workers: [] };
  },
};

export * from './domain.js';
export { flightRoutes } from './routes.js';
