// A reservation process of the distributed runtime (environment: packages/service/src/process.ts),
// plus HOLD_TTL_MS (unpaid holds expire after it, default 15 min).
import { runServiceProcess } from '@airline/service';
import { defaultReservationConfig, reservationService } from './index.js';

const holdTtlMs = process.env.HOLD_TTL_MS ? Number(process.env.HOLD_TTL_MS) : defaultReservationConfig.holdTtlMs;
if (!Number.isInteger(holdTtlMs) || holdTtlMs <= 0) throw new Error(`HOLD_TTL_MS must be a positive whole number of ms, not ${process.env.HOLD_TTL_MS}`);

// the saga timeline (GET /reservations/:id/timeline) reads the JetStream stream
await runServiceProcess(reservationService, ({ eventLog }) => ({ ...defaultReservationConfig, holdTtlMs, eventLog }), { port: 8082 });
