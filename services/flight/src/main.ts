// A flight process of the distributed runtime: `DATABASE_URL=… NATS_URL=… tsx services/flight/src/main.ts`
// (environment: packages/service/src/process.ts), plus AVAILABILITY_REFRESH_MS: how often a replica reads
// the flights other replicas changed into its availability view (default 250; the bound on how old
// the seats left of a search can be).
import { runServiceProcess } from '@airline/service';
import { flightService } from './index.js';

const availabilityRefreshMs = Number(process.env.AVAILABILITY_REFRESH_MS ?? 250);
if (!Number.isInteger(availabilityRefreshMs) || availabilityRefreshMs < 1 || availabilityRefreshMs > 1000) {
  throw new Error(`AVAILABILITY_REFRESH_MS must be a whole number of ms from 1 to 1000, not ${process.env.AVAILABILITY_REFRESH_MS}`);
}
await runServiceProcess(flightService, { availabilityRefreshMs }, { port: 8083 });
