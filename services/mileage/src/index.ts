import { fileURLToPath } from 'node:url';
import { migrationsFrom } from '@airline/database';
import { createHttpApp, halRootRoutes } from '@airline/http';
import type { ServiceDefinition } from '@airline/service';
import { mileageHandlers } from './handlers.js';
import { DEFAULT_RATE_BASIS_POINTS } from './mileage.js';
import { mileageRoutes } from './routes.js';

export interface MileageConfig {
  /** Miles earned per fare, in basis points: 1000 (the default) = 10 % of the amount paid. */
  rateBasisPoints: number;
}

export const defaultMileageConfig: MileageConfig = { rateBasisPoints: DEFAULT_RATE_BASIS_POINTS };

/** The mileage service (port 8086): a ledger per customer, fed by ReservationConfirmed/ReservationCancelled (step 9). */
export const mileageService: ServiceDefinition<MileageConfig> = {
  name: 'mileage',
  migrations: migrationsFrom(fileURLToPath(new URL('../migrations', import.meta.url))),
  build({ db, consumer, log }, config) {
    const app = createHttpApp({ service: 'mileage', log, readiness: { database: () => db.query('SELECT 1') } });
    halRootRoutes(app, { mileages: '/mileages' });
    mileageRoutes(app, db);
    return { app, consumers: [consumer('mileage', mileageHandlers(config.rateBasisPoints))], workers: [] };
  },
};

export * from './mileage.js';
export { mileageRoutes } from './routes.js';
