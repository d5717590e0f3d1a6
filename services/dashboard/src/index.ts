import { fileURLToPath } from 'node:url';
import { migrationsFrom } from '@airline/database';
import { createHttpApp, halRootRoutes } from '@airline/http';
import type { EventLogReader } from '@airline/messaging';
import type { IntegrationEvent } from '@airline/contracts';
import { scrubCardsMigration } from '@airline/contracts';
import type { EventHandlers, HandlerContext } from '@airline/outbox';
import type { ServiceDefinition } from '@airline/service';
import { dashboardEventTypes, prefetchProjection, project } from './projector.js';
import { dashboardRoutes } from './routes.js';

export interface DashboardConfig {
  /** Read access to the event log, for rebuilding the read models (optional: without it, rebuild answers 503). */
  eventLog?: EventLogReader;
}

/** Every event the dashboard reads goes through the one projection (the same code the rebuild runs). */
export const dashboardHandlers: EventHandlers = Object.fromEntries(
  dashboardEventTypes.map((type) => [type, (event: IntegrationEvent, { uow }: HandlerContext) => project(uow, event)]),
);

/** The dashboard service (port 8085): read models only, fed by events (step 11, CQRS). */
export const dashboardService: ServiceDefinition<DashboardConfig> = {
  name: 'dashboard',
  // dead letters and the reservation history lose the card numbers of events stored before tokenisation
  migrations: [
    ...migrationsFrom(fileURLToPath(new URL('../migrations', import.meta.url))),
    scrubCardsMigration([{ table: 'reservation_history', column: 'data', holds: 'data' }]),
  ],
  build({ db, consumer, log }, config) {
    const app = createHttpApp({ service: 'dashboard', log, readiness: { database: () => db.query('SELECT 1') } });
    halRootRoutes(app, { customerInfos: '/customerInfos', flightBoard: '/flightBoard', reservationHistory: '/reservationHistory' });
    dashboardRoutes(app, db, config.eventLog);
    return { app, consumers: [consumer('dashboard', dashboardHandlers, { prefetch: prefetchProjection })], workers: [] };
  },
};

export { dashboardEventTypes, project } from './projector.js';
export { READ_MODEL_TABLES, rebuildReadModels, replay } from './rebuild.js';
export * from './projections.js';
export { dashboardRoutes } from './routes.js';
