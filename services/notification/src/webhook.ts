// Optional webhook: every stored notification is POSTed to one configured URL, at least once. The call
// happens outside any transaction; its outcome is recorded on the notification (status, attempts,
// last error). Failures are tried again with exponential backoff until maxAttempts, then FAILED.
import { Agent, request } from 'undici';
import type { Logger } from 'pino';
import type { Database } from '@airline/database';
import { backoffMs } from '@airline/messaging';
import { passLoop, type Clock } from '@airline/outbox';
import type { Worker } from '@airline/service';
import { afterWebhookAttempt, isRetryableStatus, type WebhookResult } from './notification.js';
import { claimDueWebhooks, recordWebhookAttempt, toView, type NotificationRow } from './repository.js';

export interface WebhookConfig {
  url: string;
  /** Per call (default 5 s). */
  timeoutMs?: number;
  /** Deliveries tried before a notification's webhook is FAILED (default 8). */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt, capped at 5 min, with jitter (default 1 s). */
  backoffBaseMs?: number;
  batchSize?: number;
  idleMs?: number;
}

export interface WebhookWorker extends Worker {
  kick(): void;
  /** One pass over due deliveries (tests drive it directly). */
  runOnce(): Promise<number>;
}

export function webhookWorker(db: Database, config: WebhookConfig, clock: Clock, log: Logger): WebhookWorker {
  const timeoutMs = config.timeoutMs ?? 5_000;
  const maxAttempts = config.maxAttempts ?? 8;
  const backoffBaseMs = config.backoffBaseMs ?? 1_000;
  const batchSize = config.batchSize ?? 64;
  const idleMs = config.idleMs ?? 500;
  const agent = new Agent({ connections: 16, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });

  async function post(row: NotificationRow): Promise<WebhookResult> {
    const body = toView(row);
    try {
      const res = await request(config.url, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', 'idempotency-key': body.eventId, 'x-notification-kind': body.kind },
        body: JSON.stringify({ ...body, webhook: undefined }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 300) return { outcome: 'delivered', status: res.statusCode };
      return { outcome: 'failed', error: `receiver answered ${res.statusCode}`, retryable: isRetryableStatus(res.statusCode) };
    } catch (err) {
      return { outcome: 'failed', error: err instanceof Error ? `${err.name}: ${err.message}` : String(err), retryable: true };
    }
  }

  async function deliver(row: NotificationRow) {
    const result = await post(row);
    const now = clock();
    const next = afterWebhookAttempt(result, row.webhook_attempts, maxAttempts, now, (a) => backoffMs(a, backoffBaseMs, 300_000));
    await recordWebhookAttempt(db, Number(row.id), next, now);
    if (next.status === 'FAILED')
      log.error({ notificationId: row.id, attempts: row.webhook_attempts, error: next.lastError }, 'webhook delivery failed for good');
    else if (next.status === 'PENDING')
      log.warn({ notificationId: row.id, attempt: row.webhook_attempts, error: next.lastError }, 'webhook delivery failed; will retry');
  }

  async function runOnce(): Promise<number> {
    const rows = await db.transaction((tx) => claimDueWebhooks(tx, clock(), timeoutMs * 3, batchSize));
    await Promise.all(
      rows.map((r) =>
        deliver(r).catch((err) =>
          log.error({ err, notificationId: r.id }, 'recording a webhook attempt failed; the lease expires and it is retried'),
        ),
      ),
    );
    return rows.length;
  }

  const loop = passLoop(runOnce, { idleMs, onError: (err) => log.warn({ err }, 'webhook worker pass failed') });

  return {
    name: 'webhook',
    kick: loop.kick,
    runOnce,
    start: loop.start,
    async stop() {
      await loop.stop();
      await agent.close();
    },
  };
}
