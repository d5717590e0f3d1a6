// A payment process of the distributed runtime (environment: packages/service/src/process.ts),
// plus PAYMENT_PROCESSOR_URL (the card processor, default the sandbox on :8089).
import { runServiceProcess } from '@airline/service';
import { paymentService } from './index.js';

await runServiceProcess(paymentService, { processorUrl: process.env.PAYMENT_PROCESSOR_URL ?? 'http://127.0.0.1:8089' }, { port: 8084 });
