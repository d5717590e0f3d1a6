import { fileURLToPath } from 'node:url';
import { scrubCardsMigration } from '@airline/contracts';
import { migrationsFrom } from '@airline/database';
import { createHttpApp, halRootRoutes } from '@airline/http';
import type { ServiceDefinition } from '@airline/service';
import { paymentHandlers } from './handlers.js';
import { paymentWorker, type PaymentWorkerOptions } from './payment-worker.js';
import { httpPaymentProcessor } from './processor.js';
import { paymentRoutes } from './routes.js';
import { countRefundsFailed } from './repository.js';
import { Counter, Gauge } from 'prom-client';
import { tracerFor } from '@airline/telemetry';

const BREAKER_STATES = { closed: 0, 'half-open': 1, open: 2 } as const;

export interface PaymentConfig {
  processorUrl: string;
  processorTimeoutMs?: number;
  breakerResetMs?: number;
  worker?: PaymentWorkerOptions;
}

/** The payment service: charges for held seats and refunds cancelled bookings (step 4, compensations). */
export const paymentService: ServiceDefinition<PaymentConfig> = {
  name: 'payment',
  // SeatsReserved in dead letters lose their card numbers (payments: 003_payment_methods.sql)
  migrations: [...migrationsFrom(fileURLToPath(new URL('../migrations', import.meta.url))), scrubCardsMigration()],
  build({ db, clock, relay, consumer, log }, config) {
    const calls = new Counter({
      name: 'airline_processor_calls_total',
      help: 'Calls to the card processor by operation (charge, refund) and outcome (approved, declined, refunded, voided, failed; rejected: refused by the open breaker, never sent)',
      labelNames: ['operation', 'outcome'],
      registers: [],
    });
    const tracer = tracerFor('payment'); // undefined while tracing is off
    const processor = httpPaymentProcessor({
      url: config.processorUrl,
      timeoutMs: config.processorTimeoutMs,
      breakerResetMs: config.breakerResetMs,
      onBreaker: (state) => log.warn({ breaker: state }, `payment processor circuit ${state}`),
      onCall: (operation, outcome) => calls.inc({ operation, outcome }),
      tracer,
    });
    // processor calls at once: embedded, the processor sandbox answers on the database thread every service
    // shares, so more calls only wait there into their timeout; a processor of its own (the cluster's)
    // answers more at once (both measured: docs/benchmarks.md, "Pipeline latency")
    const maxCalls = db.kind === 'pglite' ? 16 : 32;
    const worker = paymentWorker(db, processor, clock, relay.kick, log, { tracer, maxCalls, ...config.worker });
    const app = createHttpApp({ service: 'payment', log, readiness: { database: () => db.query('SELECT 1') } });
    halRootRoutes(app, { payments: '/payments' });
    paymentRoutes(app, db, processor, worker.kick);
    app.metrics.registerMetric(calls);
    new Gauge({
      name: 'airline_processor_breaker_state',
      help: "The card processor's circuit breaker in this replica: 0 closed, 1 half-open, 2 open (payments wait and retry)",
      registers: [app.metrics],
      collect() {
        this.set(BREAKER_STATES[processor.state()]);
      },
    });
    new Gauge({
      name: 'airline_payments_refund_failed',
      help: 'Refunds parked as REFUND_FAILED: the processor contradicted the payment record (alert when above 0)',
      registers: [app.metrics],
      async collect() {
        this.set(await countRefundsFailed(db));
      },
    });
    app.addHook('onClose', () => processor.close());
    return { app, consumers: [consumer('payment', paymentHandlers(worker))], workers: [worker] };
  },
};

export * from './payment.js';
export { paymentRoutes } from './routes.js';
export { httpPaymentProcessor, type PaymentProcessor } from './processor.js';
