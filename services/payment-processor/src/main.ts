// The card processor sandbox as its own process, on its own database (DATABASE_URL, created when
// missing): the vault and the ledger are there, so a restart forgets no charge. Faults injected at
// /sandbox/faults live in the process: run one replica.
import { createPgDatabase } from '@airline/database';
import { runHttpProcess } from '@airline/service';
import { buildPaymentProcessor } from './index.js';

await runHttpProcess(
  'payment-processor',
  async ({ log }) => {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('payment-processor: DATABASE_URL is not set (postgres://user@host:5432/payment_processor)');
    const db = await createPgDatabase(url, {
      max: Number(process.env.PG_POOL_MAX ?? 4),
      applicationName: `payment-processor-${process.pid}`,
    });
    const app = await buildPaymentProcessor({ db, log });
    app.addHook('onClose', () => db.close());
    return app;
  },
  { port: 8089 },
);
