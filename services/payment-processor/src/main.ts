// The card processor sandbox as its own process. It keeps its charges in memory: run one replica.
import { runHttpProcess } from '@airline/service';
import { buildPaymentProcessor } from './index.js';

await runHttpProcess('payment-processor', () => buildPaymentProcessor(), { port: 8089 });
