import type { NotificationConfig } from './index.js';

/** NOTIFICATION_WEBHOOK_URL (optional) and NOTIFICATION_WEBHOOK_MAX_ATTEMPTS; both runtimes read the same variables. */
export function notificationConfigFromEnv(env: Record<string, string | undefined>): NotificationConfig {
  const url = env.NOTIFICATION_WEBHOOK_URL;
  if (!url) return {};
  if (!/^https?:\/\//.test(url) || !URL.canParse(url))
    throw new Error(`NOTIFICATION_WEBHOOK_URL must be an http(s) URL, not ${JSON.stringify(url)}`);
  const raw = env.NOTIFICATION_WEBHOOK_MAX_ATTEMPTS;
  const maxAttempts = raw ? Number(raw) : undefined;
  if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && maxAttempts > 0))
    throw new Error(`NOTIFICATION_WEBHOOK_MAX_ATTEMPTS must be a positive whole number, not ${raw}`);
  return { webhook: { url, maxAttempts } };
}
