// Server-Sent Events are read from a fetch stream: the parser must cope with events split anywhere.
import { describe, expect, it } from 'vitest';
import { parseServerEvents } from '../src/sse';

describe('parseServerEvents', () => {
  it('reads complete events and keeps the unfinished tail for the next chunk', () => {
    const { events, rest } = parseServerEvents('event: notification\nid: 7\ndata: {"id":7}\n\n: keep-alive\n\ndata: {"id"');
    expect(events).toEqual([{ event: 'notification', id: '7', data: '{"id":7}' }]);
    expect(rest).toBe('data: {"id"');
    expect(parseServerEvents(`${rest}:8}\n\n`).events).toEqual([{ event: 'message', data: '{"id":8}' }]);
  });

  it('joins multi-line data and accepts CRLF line ends', () => {
    expect(parseServerEvents('data: a\r\ndata: b\r\n\r\n').events).toEqual([{ event: 'message', data: 'a\nb' }]);
  });

  it('ignores comments and events without data', () => {
    expect(parseServerEvents(': ping\n\nevent: x\n\n').events).toEqual([]);
  });
});
