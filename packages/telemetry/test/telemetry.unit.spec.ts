// The process logger and the tracing switch: JSON lines for machines, pretty lines on a terminal, the
// service named once; tracing only when an OTLP endpoint is set (or a test's exporter is given).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  createLogger,
  currentTraceparent,
  logFormat,
  serviceLogger,
  traceIdOf,
  tracerFor,
  tracingOn,
  tracingRequested,
} from '../src/index.js';

const capture = () => {
  const out: string[] = [];
  return {
    out,
    destination: new Writable({
      write: (chunk, _enc, done) => {
        out.push(String(chunk));
        done();
      },
    }),
  };
};

describe('log format', () => {
  it('is pretty on a terminal and JSON elsewhere, unless LOG_FORMAT says', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(() => logFormat({ LOG_FORMAT: 'xml' }, false)).toThrow(/LOG_FORMAT must be json or pretty, not "xml"/);
  });

  it('JSON: one object per line; pretty: a line for people with the level and the message', () => {
    const json = capture();
    createLogger({ format: 'json', destination: json.destination, base: { service: 'flight' } }).info(
      { eventType: 'SeatsReserved' },
      'event handled',
    );
    expect(JSON.parse(json.out.join(''))).toMatchObject({ level: 30, service: 'flight', eventType: 'SeatsReserved', msg: 'event handled' });

    const pretty = capture();
    createLogger({ format: 'pretty', destination: pretty.destination, base: { service: 'flight' } }).info(
      { eventType: 'SeatsReserved' },
      'event handled',
    );
    const text = pretty.out.join('');
    expect(() => JSON.parse(text)).toThrow();
    expect(text).toMatch(/INFO/);
    expect(text).toContain('event handled');
    expect(text).toContain('SeatsReserved');
  });
});

describe('serviceLogger', () => {
  it('names the service once, whether or not the process logger already does', () => {
    for (const base of [{ service: 'payment', pid: 1 }, { pid: 1 }]) {
      const c = capture();
      serviceLogger(createLogger({ format: 'json', destination: c.destination, base }), 'payment').info('hi');
      expect(c.out[0]!.match(/"service":/g)).toHaveLength(1);
      expect(JSON.parse(c.out[0]!).service).toBe('payment');
    }
  });
});

describe('tracing', () => {
  it('is asked for by an OTLP endpoint, and not when the SDK is disabled or the endpoint is empty', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });

  it('off (not started): no tracer, no trace context', () => {
    expect(tracingOn()).toBe(false);
    expect(tracerFor('flight')).toBeUndefined();
    expect(currentTraceparent()).toBeUndefined();
  });

  it('reads the trace id of a traceparent, and nothing of a malformed one', () => {
    expect(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    for (const bad of [undefined, null, '', 'x', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7']) expect(traceIdOf(bad)).toBeNull();
  });
});
