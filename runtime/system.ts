// The embedded runtime: every service in this one process, each with its own database (a schema of one
// PGlite instance under DATA_DIR: runtime/databases.ts), an in-process durable event log, the processor sandbox, and the gateway. Tests start it
// the same way `npm start` does, on free ports.
import pino, { type Logger } from 'pino';
import { scrubCardsSql } from '@airline/contracts';
import { migrate, type Database } from '@airline/database';
import { openEmbeddedDatabases, type DatabaseLayout, type DatabaseName, type EmbeddedDatabases } from './databases.js';
import { createEmbeddedEventBus, type EventBus, type EventLogReader } from '@airline/messaging';
import { startService, type RunningService } from '@airline/service';
import { flightService, type FlightConfig } from '@airline/flight';
import { reservationService, defaultReservationConfig, httpPaymentMethods, type ReservationConfig } from '@airline/reservation';
import { paymentService, type PaymentConfig } from '@airline/payment';
import { buildPaymentProcessor, type PaymentProcessorApp } from '@airline/payment-processor';
import { mileageService, defaultMileageConfig, type MileageConfig } from '@airline/mileage';
import { notificationService, type NotificationConfig } from '@airline/notification';
import { dashboardService } from '@airline/dashboard';
import { buildGateway, gatewayFilesIn, type Gateway, type GatewaySettingsInput, type SeedUser } from '@airline/gateway';
import type { HttpApp } from '@airline/http';

export const SEED_PORTS = {
  gateway: 8088,
  reservation: 8082,
  flight: 8083,
  payment: 8084,
  dashboard: 8085,
  mileage: 8086,
  notification: 8087,
  processor: 8089,
} as const;
export type PortMap = Record<keyof typeof SEED_PORTS, number>;
/** Beside the seed ports: the gateway's management port (services/gateway/src/management.ts). */
export const GATEWAY_MANAGEMENT_PORT = 9088;
/** Every port 0: what tests listen on. */
export const FREE_PORTS: PortMap = {
  gateway: 0,
  reservation: 0,
  flight: 0,
  payment: 0,
  dashboard: 0,
  mileage: 0,
  notification: 0,
  processor: 0,
};
export type ServiceName = 'flight' | 'reservation' | 'payment' | 'mileage' | 'notification' | 'dashboard';

export { DATABASE_NAMES, databaseDirectories, type DatabaseLayout, type DatabaseName } from './databases.js';

/** The event log's events from before card tokenisation lose their card numbers (as upcastEvent reads them). */
export const eventLogCardScrub = { name: '002_scrub_cards.sql', sql: scrubCardsSql('event_log', 'payload', 'envelope') };

export interface EmbeddedOptions {
  /** Where the databases live; undefined = in memory (nothing survives). */
  dataDir?: string;
  ports?: Partial<PortMap>;
  /** The gateway's management port (/health/*, /metrics with no token): 9088 beside the seed ports, a free one when the gateway's port is. */
  managementPort?: number;
  host?: string;
  /** Default: errors only (LOG_LEVEL overrides), to stdout. */
  log?: Logger;
  /** The flights' default currency (ISO 4217, KRW unless given) and when booking closes before departure. */
  flight?: Pick<FlightConfig, 'defaultCurrency' | 'bookingClosesMinutes'>;
  reservation?: Partial<ReservationConfig>;
  payment?: Partial<Omit<PaymentConfig, 'processorUrl'>> & { processorUrl?: string };
  mileage?: Partial<MileageConfig>;
  notification?: NotificationConfig;
  /** Failed deliveries before an event is parked. */
  maxAttempts?: number;
  /** Services whose consumers, relay and workers do not run (HTTP only): to test catch-up and crashes. */
  paused?: ServiceName[];
  busPollMs?: number;
  /** Known gateway users (tests): created at start instead of the random demo users of a first start. */
  auth?: { users?: SeedUser[] };
  /** Gateway settings: rate limits, token lifetime, OIDC issuer, CORS, upstream timeouts. */
  gateway?: GatewaySettingsInput;
  /**
   * Worker threads the PGlite instances are dealt over (default 1: each thread costs about 30 MB, and on
   * two cores more threads measured no faster, docs/benchmarks.md). DB_THREADS for `npm start`.
   */
  dbThreads?: number;
  /** For a new DATA_DIR (an existing one keeps its own): schemas (default) or instances. DB_LAYOUT for `npm start`. */
  dbLayout?: DatabaseLayout;
  /** The databases already being opened (openEmbeddedDatabases with the same dataDir): `npm start` starts them before it loads this module. */
  databases?: Promise<EmbeddedDatabases>;
}

export interface EmbeddedSystem {
  urls: Record<keyof typeof SEED_PORTS, string>;
  /** The gateway's management port: what probes and Prometheus read (the public port keeps them to staff). */
  managementUrl: string;
  services: Record<ServiceName, RunningService>;
  processor: PaymentProcessorApp;
  /** The processor sandbox's own database: its vault (the only place a card number is kept) and ledger. */
  processorDb: Database;
  /** Every database of the process by name (the event log, each service's, the gateway's, the processor's). */
  databases: Record<DatabaseName, Database>;
  /** How they are laid out under DATA_DIR (runtime/databases.ts). */
  databaseLayout: DatabaseLayout;
  bus: EventBus & EventLogReader;
  busDb: Database;
  gateway: Gateway;
  log: Logger;
  stop(): Promise<void>;
}

const urlOf = (app: HttpApp) => {
  const a = app.server.address();
  if (!a || typeof a === 'string') throw new Error('not listening');
  return `http://127.0.0.1:${a.port}`;
};

export async function startEmbeddedSystem(options: EmbeddedOptions = {}): Promise<EmbeddedSystem> {
  const { defaultCurrency, bookingClosesMinutes } = options.flight ?? {};
  if (defaultCurrency !== undefined && !Intl.supportedValuesOf('currency').includes(defaultCurrency))
    throw new Error(`the flights' default currency must be an ISO 4217 code, not ${defaultCurrency}`);
  if (
    bookingClosesMinutes !== undefined &&
    !(Number.isInteger(bookingClosesMinutes) && bookingClosesMinutes >= 0 && bookingClosesMinutes <= 7 * 24 * 60)
  )
    throw new Error(`booking must close a whole number of minutes (0 to 10080) before departure, not ${bookingClosesMinutes}`);
  const ports = { ...SEED_PORTS, ...options.ports };
  const host = options.host ?? '127.0.0.1';
  // without a logger of the caller's, errors still reach stdout: a 5xx is never silent
  const log = options.log ?? pino({ level: process.env.LOG_LEVEL ?? 'error' });
  const paused = new Set(options.paused ?? []);
  const { dbs, threads, layout, loosened } = await (options.databases ?? openEmbeddedDatabases(options));
  if (loosened.length > 0)
    log.warn(
      { dataDir: options.dataDir, count: loosened.length, first: loosened.slice(0, 5) },
      'data files were readable or writable by other users: made private (0700 directories, 0600 files)',
    );
  const busDb = dbs['event-log'];
  const bus = await createEmbeddedEventBus(busDb, {
    pollMs: options.busPollMs,
    // a test run can have event types overtake each other, as JetStream's one consumer per type does
    reorderTypes: process.env.AIRLINE_REORDER_EVENT_TYPES === '1',
    onError: (err, consumer) => log.warn({ err, consumer }, 'consumer pass failed; retrying'),
  });

  // stored events from before card tokenisation lose their card numbers (the tail in memory is empty yet)
  await migrate(busDb, [eventLogCardScrub]);

  const processorDb = dbs['payment-processor'];
  const processor = await buildPaymentProcessor({ db: processorDb, log });
  await processor.listen({ port: ports.processor, host });
  const common = (name: ServiceName) => ({
    bus,
    log,
    host,
    port: ports[name],
    maxAttempts: options.maxAttempts,
    pipeline: !paused.has(name),
  });

  const flight = await startService(flightService, { ...options.flight }, { db: dbs.flight, ...common('flight') });
  const reservation = await startService(
    reservationService,
    // the saga timeline reads the log; cards sent to POST /reservations are tokenised by the processor
    {
      ...defaultReservationConfig,
      flightUrl: flight.url,
      paymentMethods: httpPaymentMethods({ url: urlOf(processor) }),
      ...options.reservation,
      eventLog: bus,
    },
    { db: dbs.reservation, ...common('reservation') },
  );
  const payment = await startService(
    paymentService,
    { processorUrl: urlOf(processor), ...options.payment },
    { db: dbs.payment, ...common('payment') },
  );
  const mileage = await startService(
    mileageService,
    { ...defaultMileageConfig, ...options.mileage },
    { db: dbs.mileage, ...common('mileage') },
  );
  const notification = await startService(
    notificationService,
    { ...options.notification },
    { db: dbs.notification, ...common('notification') },
  );
  const dashboard = await startService(dashboardService, { eventLog: bus }, { db: dbs.dashboard, ...common('dashboard') });
  const services = { flight, reservation, payment, mileage, notification, dashboard };

  const gatewayDb = dbs.gateway;
  const gateway = await buildGateway({
    upstreams: {
      flight: flight.url,
      reservation: reservation.url,
      payment: payment.url,
      processor: urlOf(processor),
      dashboard: dashboard.url,
      mileage: mileage.url,
      notification: notification.url,
    },
    db: gatewayDb,
    ...(options.dataDir ? gatewayFilesIn(options.dataDir) : {}),
    log,
    users: options.auth?.users,
    settings: options.gateway,
    management: { port: options.managementPort ?? (ports.gateway === 0 ? 0 : GATEWAY_MANAGEMENT_PORT), host },
  });
  await gateway.listen({ port: ports.gateway, host });

  let stopped = false;
  return {
    managementUrl: gateway.management!.url(),
    urls: {
      gateway: urlOf(gateway),
      flight: flight.url,
      reservation: reservation.url,
      payment: payment.url,
      dashboard: dashboard.url,
      mileage: mileage.url,
      notification: notification.url,
      processor: urlOf(processor),
    },
    services,
    processor,
    processorDb,
    databases: dbs,
    databaseLayout: layout,
    bus,
    busDb,
    gateway,
    log,
    async stop() {
      if (stopped) return;
      stopped = true;
      await gateway.close();
      await gatewayDb.close();
      await bus.close(); // consumers finish their batch and stop
      for (const s of Object.values(services)) await s.stop(); // workers, HTTP, outbox drained into the log
      await processor.close();
      await processorDb.close();
      for (const s of Object.values(services)) await s.db.close();
      await busDb.close();
      for (const t of threads) await t.close();
    },
  };
}
