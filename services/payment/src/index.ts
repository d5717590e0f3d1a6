import { fileURLToPath } from 'node:url';
import { scrubCardsMigration } from '@airline/contracts';
import { migrationsFrom } from '@airline/database';
import { createHttpApp } from '@airline/http';
import type { ServiceDefinition } from '@airline/service';
import { paymentHandlers } from './handlers.js';
import { paymentWorker, type PaymentWorkerOptions } from './payment-worker.js';
import { httpPaymentProcessor } from './processor.js';
import { paymentRoutes } from './routes.js';
import { countRefundsFailed } from './repository.js';
import { Gauge } from 'prom-client';

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
    const processor = httpPaymentProcessor({
      url: config.processorUrl,
      timeoutMs: config.processorTimeoutMs,
      breakerResetMs: config.breakerResetMs,
      onBreaker: (state) => log.warn({ breaker: state }, `payment processor circuit ${state}`),
    });
    const worker = paymentWorker(db, processor, clock, relay.kick, log, config.worker);
    const app = createHttpApp({ service: 'payment', log, readiness: { database: () => db.query('SELECT 1') } });
    paymentRoutes(app, db, processor, worker.kick);
    new Gauge({
      name: 'payments_refund_failed',
      help: 'Refunds parked as REFUND_FAILED: the processor contradicted the payment record (alert when above 0)',
      registers: [app.metrics],
      async collect() {
        this.set(await countRefundsFailed(db));
      },
    });
    app.addHook('onClose', () => processor.close());
    return { app, consumers: [consumer('payment', paymentHandlers(worker.kick))], workers: [worker] };
  },
};

export * from './payment.js';
export { paymentRoutes } from './routes.js';
export { httpPaymentProcessor, type PaymentProcessor } from './processor.js';
