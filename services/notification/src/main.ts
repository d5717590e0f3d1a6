// A notification process of the distributed runtime (environment: packages/service/src/process.ts),
// plus NOTIFICATION_WEBHOOK_URL (optional: every notification is also POSTed there) and
// NOTIFICATION_WEBHOOK_MAX_ATTEMPTS (default 8).
import { runServiceProcess } from '@airline/service';
import { notificationService } from './index.js';
import { notificationConfigFromEnv } from './config.js';

await runServiceProcess(notificationService, notificationConfigFromEnv(process.env), { port: 8087 });
