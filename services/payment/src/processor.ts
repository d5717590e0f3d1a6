// The port to the card processor and its HTTP adapter: a timeout per call, retries of transient
// failures (undici RetryAgent), and an opossum circuit breaker so an outage fails fast.
import CircuitBreaker from 'opossum';
import { Agent, RetryAgent, request } from 'undici';
import { clientSpan, type Tracer } from '@airline/telemetry';
import type { ChargeResult, RefundResult } from './payment.js';

export interface PaymentProcessor {
  /** Charges a payment-method token (never a card number). */
  charge(req: { reference: string; amount: number; paymentMethod: string }): Promise<ChargeResult>;
  refund(req: { reference: string }): Promise<RefundResult>;
  state(): 'closed' | 'open' | 'half-open';
  close(): Promise<void>;
}

export interface ProcessorClientOptions {
  url: string;
  timeoutMs?: number;
  retries?: number;
  breakerResetMs?: number;
  onBreaker?: (state: 'open' | 'half-open' | 'closed') => void;
  /** Told the outcome of every call (metrics): approved, declined, refunded, voided, failed, or rejected (breaker open). */
  onCall?: (operation: 'charge' | 'refund', outcome: ProcessorCallOutcome) => void;
  /** Traces (tracing on): each HTTP call in a CLIENT span, its context sent as traceparent. */
  tracer?: Tracer;
}

export type ProcessorCallOutcome = 'approved' | 'declined' | 'refunded' | 'voided' | 'failed' | 'rejected';

export function httpPaymentProcessor(options: ProcessorClientOptions): PaymentProcessor {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const agent = new Agent({ connections: 64, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 30_000 });
  const retrying = new RetryAgent(agent, {
    maxRetries: options.retries ?? 2,
    minTimeout: 50,
    maxTimeout: 500,
    methods: ['POST'], // safe: the processor is idempotent by reference
    statusCodes: [500, 502, 503, 504],
  });

  // biome-ignore lint/suspicious/noExplicitAny: the processor's JSON answer, whose fields are checked where they are read
  async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
    return clientSpan(
      options.tracer,
      `POST ${path}`,
      { 'http.request.method': 'POST', 'server.address': 'payment-processor', 'url.path': path },
      async (traceHeaders, span) => {
        const res = await request(new URL(path, options.url), {
          method: 'POST',
          dispatcher: retrying,
          headers: { 'content-type': 'application/json', ...traceHeaders },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs * 3),
        });
        span?.setAttribute('http.response.status_code', res.statusCode);
        const json = await res.body.json().catch(() => ({}));
        if (res.statusCode >= 500) throw new Error(`processor answered ${res.statusCode}`);
        return { status: res.statusCode, json };
      },
    );
  }

  const breaker = new CircuitBreaker(post, {
    timeout: timeoutMs * 3,
    errorThresholdPercentage: 50,
    volumeThreshold: 5,
    resetTimeout: options.breakerResetMs ?? 5_000,
  });
  breaker.on('open', () => options.onBreaker?.('open'));
  breaker.on('halfOpen', () => options.onBreaker?.('half-open'));
  breaker.on('close', () => options.onBreaker?.('closed'));

  /** A 4xx answer to a charge, in words: a terminal decline (retrying cannot change it). */
  const refusal = (status: number, json: { title?: unknown; detail?: unknown }) =>
    `the processor refused the charge (${status}${typeof json.title === 'string' ? ` ${json.title}` : ''}${typeof json.detail === 'string' ? `: ${json.detail}` : ''})`;

  const failed = (operation: 'charge' | 'refund', err: unknown) => {
    // opossum refuses at once while open: no call was made
    options.onCall?.(operation, (err as { code?: string }).code === 'EOPENBREAKER' ? 'rejected' : 'failed');
    return { outcome: 'failed' as const, error: err instanceof Error ? err.message : String(err) };
  };
  const answered = <R extends { outcome: ProcessorCallOutcome }>(operation: 'charge' | 'refund', result: R): R => {
    options.onCall?.(operation, result.outcome);
    return result;
  };

  return {
    async charge(req) {
      try {
        const { status, json } = await breaker.fire('/v1/charges', req);
        if (status === 200 && json.status === 'approved')
          return answered('charge', { outcome: 'approved', authorizationCode: String(json.authorizationCode) });
        if (status === 402) return answered('charge', { outcome: 'declined', reason: String(json.reason ?? 'declined') });
        // any other 4xx (but a timeout or a rate limit): the processor refuses this request as it stands;
        // asking again gets the same answer, so it is a decline, not a failure to retry until the hold ends
        if (status >= 400 && status < 500 && status !== 408 && status !== 429)
          return answered('charge', { outcome: 'declined', reason: refusal(status, json) });
        return failed('charge', new Error(`unexpected processor answer ${status}`));
      } catch (err) {
        return failed('charge', err);
      }
    },
    async refund(req) {
      try {
        const { status, json } = await breaker.fire('/v1/refunds', req);
        if (status === 200 && (json.status === 'refunded' || json.status === 'voided'))
          return answered('refund', { outcome: json.status as 'refunded' | 'voided' });
        return failed('refund', new Error(`unexpected processor answer ${status}`));
      } catch (err) {
        return failed('refund', err);
      }
    },
    state: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed'),
    async close() {
      breaker.shutdown();
      await agent.close();
    },
  };
}
