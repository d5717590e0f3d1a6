// The signed-in customer's notifications: loaded once, then pushed live over Server-Sent Events
// (polling if the stream is refused). Every new one bumps `version`, so pages that show a booking
// ask for it again at once instead of waiting for their next poll.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, isAbort, qs } from './api';
import { followStream } from './sse';

export interface AppNotification {
  id: number;
  customerId: number;
  reservationId: number;
  bookingReference: string;
  kind: 'RESERVATION_PLACED' | 'RESERVATION_CONFIRMED' | 'RESERVATION_CANCELLED' | 'FLIGHT_CANCELLED';
  title: string;
  message: string;
  /** the cancel reason code of a cancellation */
  reason: string | null;
  occurredAt: string;
}

interface NotificationsState {
  items: AppNotification[];
  loading: boolean;
  error: unknown;
  /** How many arrived since the list was last looked at. */
  unseen: number;
  /** The newest one that arrived live, for the toast. */
  latest: AppNotification | null;
  /** Increments with every new notification. */
  version: number;
  markSeen: () => void;
  dismissLatest: () => void;
  live: boolean;
}

const inert: NotificationsState = {
  items: [],
  loading: false,
  error: undefined,
  unseen: 0,
  latest: null,
  version: 0,
  markSeen: () => {},
  dismissLatest: () => {},
  live: false,
};
const NotificationsContext = createContext<NotificationsState>(inert);

export const POLL_MS = 5000;

export function NotificationsProvider({ customerId, children }: { customerId: number | null; children: ReactNode }) {
  const [items, setItems] = useState<AppNotification[]>([]);
  const [loading, setLoading] = useState(customerId !== null);
  const [error, setError] = useState<unknown>(undefined);
  const [seen, setSeen] = useState<Set<string>>(new Set());
  const [latest, setLatest] = useState<AppNotification | null>(null);
  const [version, setVersion] = useState(0);
  const [live, setLive] = useState(false);
  const known = useRef(new Set<string>());

  const merge = useCallback((incoming: AppNotification[], fromLive: boolean) => {
    const fresh = incoming.filter((n) => !known.current.has(String(n.id)));
    if (!fresh.length) return;
    for (const n of fresh) known.current.add(String(n.id));
    setItems((prev) => sortNewestFirst([...fresh, ...prev]));
    setVersion((v) => v + 1);
    if (fromLive) setLatest(sortNewestFirst(fresh)[0] ?? null);
  }, []);

  useEffect(() => {
    if (customerId === null) return;
    const controller = new AbortController();
    const { signal } = controller;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const list = () => api.get<AppNotification[]>(`/notifications${qs({ customerId })}`, { signal });
    const poll = async () => {
      try {
        merge(await list(), true);
        setError(undefined);
      } catch (err) {
        if (isAbort(err)) return;
        setError(err);
      }
      if (!signal.aborted) timer = setTimeout(poll, POLL_MS);
    };
    (async () => {
      try {
        const first = await list();
        for (const n of first) known.current.add(String(n.id));
        setItems(sortNewestFirst(first));
        setSeen(new Set(first.map((n) => String(n.id))));
      } catch (err) {
        if (isAbort(err)) return;
        setError(err);
      } finally {
        if (!signal.aborted) setLoading(false);
      }
      await followStream(
        `/notifications/stream${qs({ customerId })}`,
        {
          onOpen: () => setLive(true),
          onEvent: (e) => {
            const n = parseNotification(e.data);
            if (n) merge([n], true);
          },
          onUnavailable: () => {
            setLive(false);
            void poll();
          },
        },
        signal,
      );
    })();
    return () => {
      controller.abort();
      clearTimeout(timer);
      setLive(false);
    };
  }, [customerId, merge]);

  const markSeen = useCallback(() => setSeen(new Set(known.current)), []);
  const dismissLatest = useCallback(() => setLatest(null), []);
  const unseen = items.filter((n) => !seen.has(String(n.id))).length;
  const value = useMemo(
    () => (customerId === null ? inert : { items, loading, error, unseen, latest, version, markSeen, dismissLatest, live }),
    [customerId, items, loading, error, unseen, latest, version, markSeen, dismissLatest, live],
  );
  return <NotificationsContext.Provider value={value}>{children}</NotificationsContext.Provider>;
}

export const useNotifications = () => useContext(NotificationsContext);

function parseNotification(data: string): AppNotification | null {
  try {
    const n = JSON.parse(data) as AppNotification;
    return n && typeof n === 'object' && typeof n.id === 'number' && typeof n.message === 'string' ? n : null;
  } catch {
    return null; // a keep-alive or a message that is not a notification
  }
}

const sortNewestFirst = (list: AppNotification[]) =>
  [...list].sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt) || b.id - a.id);
