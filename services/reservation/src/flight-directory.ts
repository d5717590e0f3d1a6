// The flight service asked directly, at the edge of step 1: the local catalog learns of a flight from
// FlightRegistered, which a booking made right after the flight's registration can overtake (the seeds'
// demo pasted fast). When the catalog lacks the flight, the booking asks the flight service once before
// refusing it. A timeout and a circuit breaker keep a flight service that is down from slowing bookings
// of flights the catalog knows (those never call it).
import CircuitBreaker from 'opossum';
import { Agent, request } from 'undici';
import { clientSpan, tracerFor } from '@airline/telemetry';

/** A flight as the flight service describes it: what the catalog keeps. */
export interface DirectoryFlight {
  flightId: number;
  flightCode: string;
  takeoffDate: string;
  cost: number;
  currency?: string;
  bookingClosesAt?: string;
  status: 'SCHEDULED' | 'CANCELLED';
}

export interface FlightDirectory {
  /** The flight, or undefined when the flight service says it does not exist. Throws FlightDirectoryUnavailable. */
  find(flightId: number): Promise<DirectoryFlight | undefined>;
  close(): Promise<void>;
}

/** The flight service did not answer (down, slow, or the breaker is open): the caller cannot tell. */
export class FlightDirectoryUnavailable extends Error {
  constructor(cause: unknown) {
    super(`the flight service did not answer: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'FlightDirectoryUnavailable';
  }
}

export interface FlightDirectoryOptions {
  url: string;
  timeoutMs?: number;
  breakerResetMs?: number;
}

export function httpFlightDirectory(options: FlightDirectoryOptions): FlightDirectory {
  const timeoutMs = options.timeoutMs ?? 1_000;
  const agent = new Agent({ connections: 8, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 30_000 });

  const tracer = tracerFor('reservation'); // undefined while tracing is off
  const get = (flightId: number) =>
    clientSpan(
      tracer,
      'GET /flights/:id',
      { 'http.request.method': 'GET', 'server.address': 'flight', 'url.path': '/flights/:id' },
      (traceHeaders) => getFlight(flightId, traceHeaders),
    );

  async function getFlight(flightId: number, headers: Record<string, string>): Promise<DirectoryFlight | undefined> {
    const res = await request(new URL(`/flights/${flightId}`, options.url), {
      dispatcher: agent,
      headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.statusCode === 404) {
      await res.body.dump();
      return undefined;
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`flight service answered ${res.statusCode}`);
    }
    const f = (await res.body.json()) as {
      id: number;
      flightCode: string;
      takeoffDate: string;
      cost: number;
      currency?: string;
      bookingClosesAt?: string;
      status: 'SCHEDULED' | 'CANCELLED';
    };
    return {
      flightId: f.id,
      flightCode: f.flightCode,
      takeoffDate: f.takeoffDate,
      cost: f.cost,
      currency: f.currency,
      bookingClosesAt: f.bookingClosesAt,
      status: f.status,
    };
  }

  const breaker = new CircuitBreaker(get, {
    timeout: timeoutMs * 2,
    errorThresholdPercentage: 50,
    volumeThreshold: 3,
    resetTimeout: options.breakerResetMs ?? 5_000,
  });
  return {
    async find(flightId) {
      try {
        return await breaker.fire(flightId);
      } catch (err) {
        throw new FlightDirectoryUnavailable(err);
      }
    },
    async close() {
      breaker.shutdown();
      await agent.close();
    },
  };
}
