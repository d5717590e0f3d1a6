// Step 6: a hold that is not paid in time is cancelled (PAYMENT_TIMEOUT); the flight releases its seats
// and payment voids or refunds on ReservationCancelled.
import { UnitOfWork, type Database } from '@airline/database';
import type { Clock } from '@airline/outbox';
import type { Logger } from 'pino';
import type { Worker } from '@airline/service';
import { holdExpired } from './booking-saga.js';
import { emitFromRequest, executeOrFail } from './commands.js';
import { claimExpiredHolds } from './repository.js';

export async function expireHolds(db: Database, clock: Clock, limit = 200): Promise<number> {
  return db.transaction(async (tx) => {
    const now = clock();
    const uow = new UnitOfWork(tx);
    const expired = await claimExpiredHolds(uow, now, limit);
    for (const r of expired)
      await executeOrFail(
        uow,
        r.id,
        holdExpired(),
        emitFromRequest(tx, `hold-expiry:${r.id}`, () => now),
      );
    await uow.flush();
    return expired.length;
  });
}

export function holdExpiryWorker(db: Database, clock: Clock, everyMs: number, onCommit: () => void, log: Logger): Worker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = expireHolds(db, clock)
      .then((n) => {
        if (n > 0) {
          log.info({ expired: n }, 'unpaid holds expired');
          onCommit();
        }
      })
      .catch((err) => log.warn({ err }, 'hold expiry sweep failed; next sweep retries'));
  };
  return {
    name: 'hold-expiry',
    start() {
      timer ??= setInterval(tick, everyMs);
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
