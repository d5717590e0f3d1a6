// A flight process of the distributed runtime: `DATABASE_URL=… NATS_URL=… tsx services/flight/src/main.ts`
// (environment: packages/service/src/process.ts).
import { runServiceProcess } from '@airline/service';
import { flightService } from './index.js';

await runServiceProcess(flightService, {}, { port: 8083 });
