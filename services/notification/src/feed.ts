// The live feed behind the Server-Sent Events stream: it reads notifications committed since its last
// look and hands each to the listeners of its customer. It looks when this process stored some (wake)
// and every pollMs anyway, so a client connected to one replica also sees what another replica stored.
import type { Database } from '@airline/database';
import { maxNotificationId, notificationsSince, toView, type NotificationView } from './repository.js';

/**
 * Where the feed is in the notifications table. Ids come from a sequence, so a row with a smaller id
 * can commit after a larger one was seen: the ids skipped over are kept as gaps and looked at again
 * until they show up or gapTtlMs has passed (then their transaction rolled back, or is very late).
 */
export interface FeedCursor {
  position: number;
  /** id → when it was first seen missing (ms). */
  gaps: Map<number, number>;
}

const MAX_GAPS = 10_000;

/** The cursor after a scan that returned `ids` (ascending). Pure. */
export function advanceFeedCursor(cursor: FeedCursor, ids: number[], nowMs: number, gapTtlMs: number): FeedCursor {
  const gaps = new Map(cursor.gaps);
  let position = cursor.position;
  for (const id of ids) {
    if (id <= position) {
      gaps.delete(id);
      continue;
    }
    for (let missing = position + 1; missing < id && gaps.size < MAX_GAPS; missing++) gaps.set(missing, nowMs);
    position = id;
  }
  for (const [id, since] of gaps) if (nowMs - since > gapTtlMs) gaps.delete(id);
  return { position, gaps };
}

export type FeedListener = (notification: NotificationView) => void;

export interface NotificationFeed {
  /** Listens to one customer's notifications (or everyone's); returns the unsubscribe function. */
  subscribe(customerId: number | undefined, listener: FeedListener): () => void;
  /** Look now (called after this process stored notifications). */
  wake(): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface FeedOptions {
  pollMs?: number;
  gapTtlMs?: number;
  batchSize?: number;
  onError?: (err: unknown) => void;
}

export function notificationFeed(db: Database, options: FeedOptions = {}): NotificationFeed {
  const pollMs = options.pollMs ?? 1_000;
  const gapTtlMs = options.gapTtlMs ?? 30_000;
  const batchSize = options.batchSize ?? 500;
  const listeners = new Map<number | 'all', Set<FeedListener>>();
  let cursor: FeedCursor = { position: 0, gaps: new Map() };
  let timer: NodeJS.Timeout | undefined;
  let scanning: Promise<void> | undefined;
  let again = false;
  let started = false;

  const hasListeners = () => [...listeners.values()].some((s) => s.size > 0);

  async function scanOnce() {
    if (!hasListeners()) {
      // nobody to tell: skip ahead, so a listener that comes later gets only what is new from then on
      cursor = { position: await maxNotificationId(db), gaps: new Map() };
      return;
    }
    for (;;) {
      const rows = await notificationsSince(db, cursor.position, [...cursor.gaps.keys()], batchSize);
      cursor = advanceFeedCursor(
        cursor,
        rows.map((r) => Number(r.id)),
        Date.now(),
        gapTtlMs,
      );
      for (const row of rows) {
        const view = toView(row);
        for (const key of [view.customerId, 'all'] as const) {
          for (const listener of listeners.get(key) ?? []) listener(view);
        }
      }
      if (rows.length < batchSize) return;
    }
  }

  function scan() {
    if (!started) return;
    if (scanning) {
      again = true;
      return;
    }
    scanning = scanOnce()
      .catch((err) => options.onError?.(err))
      .finally(() => {
        scanning = undefined;
        if (again) {
          again = false;
          scan();
        }
      });
  }

  return {
    subscribe(customerId, listener) {
      const key = customerId ?? 'all';
      let set = listeners.get(key);
      if (!set) {
        set = new Set();
        listeners.set(key, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(key);
      };
    },
    wake() {
      scan();
    },
    async start() {
      if (started) return;
      cursor = { position: await maxNotificationId(db), gaps: new Map() };
      started = true;
      timer = setInterval(scan, pollMs);
      timer.unref();
    },
    async stop() {
      started = false;
      clearInterval(timer);
      await scanning;
    },
  };
}
