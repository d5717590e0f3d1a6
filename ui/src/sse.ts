// Server-Sent Events read with fetch rather than EventSource: EventSource cannot send the
// Authorization header the gateway requires.
import { authHeaders, isAbort } from './api';

export interface ServerEvent {
  event: string;
  data: string;
  id?: string;
}

/** Splits an SSE byte stream (already decoded) into events; returns the unfinished tail. */
export function parseServerEvents(buffer: string): { events: ServerEvent[]; rest: string } {
  const events: ServerEvent[] = [];
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (name === 'event') event = value;
      else if (name === 'data') data.push(value);
      else if (name === 'id') id = value;
    }
    if (data.length) events.push({ event, data: data.join('\n'), ...(id !== undefined ? { id } : {}) });
  }
  return { events, rest };
}

export interface StreamHandlers {
  onEvent: (event: ServerEvent) => void;
  onOpen?: () => void;
  /** The stream cannot be used (refused, or the server does not offer it): the caller falls back to polling. */
  onUnavailable: (status: number) => void;
}

/**
 * Follows a stream until `signal` aborts, reconnecting with backoff when the connection drops.
 * A refused stream (4xx) is not retried.
 */
export async function followStream(path: string, handlers: StreamHandlers, signal: AbortSignal): Promise<void> {
  let delay = 500;
  let lastEventId: string | undefined;
  while (!signal.aborted) {
    try {
      // after a drop, Last-Event-ID asks the server for what was missed meanwhile
      const resume: Record<string, string> = lastEventId ? { 'last-event-id': lastEventId } : {};
      const res = await fetch(path, { headers: { accept: 'text/event-stream', ...authHeaders(), ...resume }, signal });
      if (!res.ok || !res.body || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
        await res.body?.cancel();
        if (res.status >= 400 && res.status < 500) return handlers.onUnavailable(res.status);
        throw new Error(`stream answered ${res.status}`);
      }
      handlers.onOpen?.();
      delay = 500;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const parsed = parseServerEvents(buffer + value);
        buffer = parsed.rest;
        for (const event of parsed.events) {
          if (event.id !== undefined) lastEventId = event.id;
          handlers.onEvent(event);
        }
      }
    } catch (err) {
      if (isAbort(err) || signal.aborted) return;
      // the connection dropped or the server restarted: reconnect after the backoff below
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 15_000);
  }
}
