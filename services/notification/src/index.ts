import { fileURLToPath } from 'node:url';
import { scrubCardsMigration } from '@airline/contracts';
import { migrationsFrom } from '@airline/database';
import { createHttpApp, halRootRoutes } from '@airline/http';
import type { ServiceDefinition, Worker } from '@airline/service';
import { notificationFeed } from './feed.js';
import { notificationHandlers, prefetchNotificationFlights } from './handlers.js';
import { notificationRoutes } from './routes.js';
import { webhookWorker, type WebhookConfig } from './webhook.js';

export interface NotificationConfig {
  /** POST every notification here too (optional). */
  webhook?: WebhookConfig;
  /** How often the live stream looks for notifications stored by other replicas (default 1 s). */
  feedPollMs?: number;
  /** SSE keep-alive comment interval (default 5 s). */
  heartbeatMs?: number;
}

/** The notification service (port 8087): one notification per reservation status change, stored, streamed (SSE), optionally POSTed to a webhook (step 10). */
export const notificationService: ServiceDefinition<NotificationConfig> = {
  name: 'notification',
  // ReservationPlaced in dead letters lose their card numbers
  migrations: [...migrationsFrom(fileURLToPath(new URL('../migrations', import.meta.url))), scrubCardsMigration()],
  async build({ db, clock, consumer, log }, config) {
    const app = createHttpApp({ service: 'notification', log, readiness: { database: () => db.query('SELECT 1') } });
    halRootRoutes(app, { notifications: '/notifications' });
    const feed = notificationFeed(db, { pollMs: config.feedPollMs, onError: (err) => log.warn({ err }, 'notification feed pass failed') });
    await feed.start();
    app.addHook('onClose', () => feed.stop());
    notificationRoutes(app, db, feed, { heartbeatMs: config.heartbeatMs });

    const workers: Worker[] = [];
    const webhook = config.webhook ? webhookWorker(db, config.webhook, clock, log) : undefined;
    if (webhook) workers.push(webhook);
    // once stored: pushed to live streams, and handed to the webhook
    const onStored = () => {
      feed.wake();
      webhook?.kick();
    };
    const notifications = consumer('notification', notificationHandlers({ webhook: webhook !== undefined, onStored }), {
      prefetch: prefetchNotificationFlights,
    });
    return { app, consumers: [notifications], workers };
  },
};

export * from './notification.js';
export type { WebhookConfig } from './webhook.js';
export { notificationConfigFromEnv } from './config.js';
export { notificationRoutes } from './routes.js';
