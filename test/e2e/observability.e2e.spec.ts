// Following one booking (SPEC "Observable"): through the logs of every service it touches by one id,
// through one trace across the services, and in the saga and processor metrics. The embedded system
// runs with tracing on (the SDK's in-memory exporter) and its logs captured.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createLogger, SpanKind, startTracing, stopTracing } from '@airline/telemetry';
import { eventually, http } from '@airline/testing';
import { FREE_PORTS, startEmbeddedSystem, type EmbeddedSystem } from '../../runtime/system.js';
import { USERS } from '../../services/gateway/test/support/system.js';
import { gatewayClient, type GatewayClient } from '../../services/gateway/test/support/client.js';

type Line = Record<string, any>;
const raw: string[] = [];
const lines = (): Line[] => raw.map((l) => JSON.parse(l));
const exporter = new InMemorySpanExporter();
const REQUEST_ID = 'follow-me-0001';

let system: EmbeddedSystem;
let alice: GatewayClient;
let booking: { id: number; requestIdAnswered: string | undefined };

beforeAll(async () => {
  expect(await startTracing({ exporter })).toBe(true);
  // the logger `npm start` makes (JSON off a terminal), writing here
  const log = createLogger({
    level: 'info',
    format: 'json',
    destination: new Writable({
      write: (chunk, _enc, done) => {
        raw.push(String(chunk));
        done();
      },
    }),
  });
  system = await startEmbeddedSystem({
    ports: FREE_PORTS,
    busPollMs: 50,
    log,
    auth: { users: Object.values(USERS) },
    gateway: { rateLimit: false },
  });
  const anonymous = gatewayClient(system.urls.gateway);
  const admin = await anonymous.as(USERS.admin.username, USERS.admin.password);
  alice = await anonymous.as(USERS.alice.username, USERS.alice.password);
  const flight = await admin.post('/flights', { flightCode: 'OBS1', takeoffDate: '2026-12-24', cost: 300, capacity: 10 });
  expect(flight.status).toBe(201);
  await eventually(
    () => system.services.reservation.db.query('SELECT 1 FROM flight_catalog WHERE flight_id = $1', [flight.body.id]),
    (q) => q.rowCount === 1,
  );

  const placed = await alice.post(
    '/reservations',
    { flightId: flight.body.id, seatQty: 2, card: '4571867530942138' },
    { headers: { 'x-request-id': REQUEST_ID } },
  );
  expect(placed.status).toBe(201);
  booking = { id: placed.body.id, requestIdAnswered: placed.headers.get('x-request-id') ?? undefined };
  await eventually(
    () => alice.get(`/reservations/${booking.id}`),
    (r) => r.body.status === 'CONFIRMED',
  );
  // and one that sells out: a saga that ends CANCELED (SOLD_OUT)
  const small = await admin.post('/flights', { flightCode: 'OBS2', takeoffDate: '2026-12-24', cost: 300, capacity: 1 });
  await eventually(
    () => system.services.reservation.db.query('SELECT 1 FROM flight_catalog WHERE flight_id = $1', [small.body.id]),
    (q) => q.rowCount === 1,
  );
  const soldOut = await alice.post('/reservations', { flightId: small.body.id, seatQty: 2 });
  expect(soldOut.status).toBe(201);
  await eventually(
    () => alice.get(`/reservations/${soldOut.body.id}`),
    (r) => r.body.status === 'CANCELED',
  );
  // the last consumers (mileage, notification, dashboard) handle ReservationConfirmed
  await eventually(
    async () => lines(),
    (ls) =>
      ['mileage', 'notification', 'dashboard'].every((s) =>
        ls.some((l) => l.service === s && l.eventType === 'ReservationConfirmed' && l.msg === 'event handled'),
      ),
  );
});

afterAll(async () => {
  await system?.stop();
  await stopTracing();
});

describe('one booking, followed through the logs', () => {
  it('the gateway takes the caller’s X-Request-Id, passes it on and answers it back', () => {
    expect(booking.requestIdAnswered).toBe(REQUEST_ID);
    const requestLines = lines().filter((l) => l.msg === 'request' && l.requestId === REQUEST_ID);
    expect(requestLines.map((l) => [l.service, l.method, l.route, l.status])).toEqual(
      expect.arrayContaining([
        ['reservation', 'POST', '/reservations', 201],
        ['gateway', 'POST', '/reservations', 201],
      ]),
    );
    for (const l of requestLines) {
      expect(l.durationMs).toEqual(expect.any(Number));
      expect(l.customerId).toBe(USERS.alice.customerId);
    }
  });

  it('the reservation’s request line names the booking, and every service it touches logs lines with that correlationId', () => {
    const placedLine = lines().find((l) => l.service === 'reservation' && l.msg === 'request' && l.requestId === REQUEST_ID)!;
    const correlationId = placedLine.correlationId;
    expect(correlationId).toBe(String(booking.id));
    // the gateway's line of the POST names it too: one id from the public entry to the last consumer
    expect(lines().find((l) => l.service === 'gateway' && l.msg === 'request' && l.requestId === REQUEST_ID)?.correlationId).toBe(
      correlationId,
    );
    const about = lines().filter((l) => l.correlationId === correlationId);
    const handled = about.filter((l) => l.msg === 'event handled').map((l) => `${l.service}:${l.eventType}`);
    expect(handled).toEqual(
      expect.arrayContaining([
        'flight:ReservationPlaced',
        'payment:SeatsReserved',
        'reservation:PaymentApproved',
        'flight:ReservationConfirmed',
        'mileage:ReservationConfirmed',
        'notification:ReservationConfirmed',
        'dashboard:ReservationConfirmed',
      ]),
    );
    // the first event was caused by the request: its handlers' lines name the request id as causationId
    expect(about.filter((l) => l.eventType === 'ReservationPlaced').every((l) => l.causationId === REQUEST_ID)).toBe(true);
  });

  it('every line about an event names its eventId, type, correlationId and causationId, and the trace', () => {
    const eventLines = lines().filter((l) => l.eventId !== undefined);
    expect(eventLines.length).toBeGreaterThan(10);
    for (const l of eventLines) {
      expect(l).toMatchObject({ eventType: expect.any(String), correlationId: expect.any(String), consumer: expect.any(String) });
      expect('causationId' in l).toBe(true);
      expect(l.traceId).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('names each key once (the service is not repeated) and never carries a card number', () => {
    for (const text of raw) {
      for (const key of ['service', 'requestId', 'traceId', 'correlationId', 'eventId', 'eventType'])
        expect(text.match(new RegExp(`"${key}":`, 'g'))?.length ?? 0, text).toBeLessThanOrEqual(1);
      expect(text).not.toContain('4571867530942138');
      expect(text).not.toContain('867530');
    }
  });
});

describe('one booking, one trace', () => {
  const serviceOf = (s: ReadableSpan) => String(s.resource.attributes['service.name']);

  it('runs from the POST through the flight hold, the payment and the processor call to the confirmation, across at least 4 services', async () => {
    const timeline = await alice.get(`/reservations/${booking.id}/timeline`);
    const traceId = timeline.body.traceId as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    // every step of the saga carries the same trace, and so do the request lines of the POST
    expect(new Set(timeline.body.steps.map((s: { traceId: string }) => s.traceId))).toEqual(new Set([traceId]));
    expect(
      new Set(
        lines()
          .filter((l) => l.msg === 'request' && l.requestId === REQUEST_ID)
          .map((l) => l.traceId),
      ),
    ).toEqual(new Set([traceId]));

    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const services = new Set(spans.map(serviceOf));
    expect([...services]).toEqual(expect.arrayContaining(['gateway', 'reservation', 'flight', 'payment', 'payment-processor']));

    // one root: the gateway's server span of the POST; every other span's parent is in the trace
    const roots = spans.filter((s) => !s.parentSpanContext);
    expect(roots.map((s) => [serviceOf(s), s.kind, s.name])).toEqual([['gateway', SpanKind.SERVER, 'POST /reservations']]);
    for (const s of spans) if (s.parentSpanContext) expect(byId.has(s.parentSpanContext.spanId), `${serviceOf(s)} ${s.name}`).toBe(true);

    // the path, each step the child of the one before
    const find = (service: string, kind: SpanKind, name: string) => {
      const found = spans.filter((s) => serviceOf(s) === service && s.kind === kind && s.name === name);
      expect(found, `${service} ${name}`).toHaveLength(1);
      return found[0]!;
    };
    const parentOf = (s: ReadableSpan) => byId.get(s.parentSpanContext!.spanId)!;
    const post = roots[0]!;
    const forward = find('gateway', SpanKind.CLIENT, 'POST reservation');
    const placed = find('reservation', SpanKind.SERVER, 'POST /reservations');
    const hold = find('flight', SpanKind.CONSUMER, 'flight process ReservationPlaced');
    const opened = find('payment', SpanKind.CONSUMER, 'payment process SeatsReserved');
    const charge = find('payment', SpanKind.INTERNAL, 'payment charge');
    const call = find('payment', SpanKind.CLIENT, 'POST /v1/charges');
    const processor = find('payment-processor', SpanKind.SERVER, 'POST /v1/charges');
    const confirm = find('reservation', SpanKind.CONSUMER, 'reservation process PaymentApproved');
    const chain = [post, forward, placed, hold, opened, charge, call, processor];
    for (let i = 1; i < chain.length; i++) expect(parentOf(chain[i]!), `${chain[i]!.name}'s parent`).toBe(chain[i - 1]);
    expect(parentOf(confirm)).toBe(charge); // PaymentApproved was written in the charge's span
    // the card was swapped for a token at the processor, inside the POST
    const tokenise = find('reservation', SpanKind.CLIENT, 'POST /v1/payment-methods');
    expect(parentOf(tokenise)).toBe(placed);
    expect(parentOf(find('payment-processor', SpanKind.SERVER, 'POST /v1/payment-methods'))).toBe(tokenise);
    // and on to the consumers of ReservationConfirmed
    const confirmedConsumers = spans.filter((s) => s.name.endsWith('process ReservationConfirmed'));
    expect(new Set(confirmedConsumers.map(serviceOf))).toEqual(new Set(['flight', 'mileage', 'notification', 'dashboard']));
    for (const s of confirmedConsumers) expect(parentOf(s)).toBe(confirm);
  });
});

describe('the saga and the processor in metrics', () => {
  async function scrape(url: string): Promise<Map<string, number>> {
    const text = (await http(url).get<string>('/metrics')).body;
    const samples = new Map<string, number>();
    for (const line of String(text).split('\n')) {
      const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
      if (m) samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
    }
    return samples;
  }

  it('count the confirmed and the sold-out saga, time the confirmed one, and show no booking pending; the processor call and a closed breaker', async () => {
    const reservation = await eventually(
      () => scrape(system.urls.reservation),
      (s) => s.get('airline_booking_confirm_seconds_count{service="reservation"}') === 1,
    );
    expect(reservation.get('airline_saga_outcomes_total{status="CONFIRMED",reason="",service="reservation"}')).toBe(1);
    expect(reservation.get('airline_saga_outcomes_total{status="CANCELED",reason="SOLD_OUT",service="reservation"}')).toBe(1);
    expect(reservation.get('airline_booking_confirm_seconds_sum{service="reservation"}')).toBeGreaterThan(0);
    expect(reservation.get('airline_booking_confirm_seconds_sum{service="reservation"}')).toBeLessThan(30);
    expect(reservation.get('airline_saga_pending_oldest_age_seconds{service="reservation"}')).toBe(0);
    expect(reservation.get('airline_group_commit_size_count{service="reservation"}')).toBeGreaterThanOrEqual(1);
    const payment = await scrape(system.urls.payment);
    expect(payment.get('airline_processor_calls_total{operation="charge",outcome="approved",service="payment"}')).toBe(1);
    expect(payment.get('airline_processor_breaker_state{service="payment"}')).toBe(0);
    expect(payment.get('airline_payments_refund_failed{service="payment"}')).toBe(0);
  });
});
