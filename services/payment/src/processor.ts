// The port to the card processor and its HTTP adapter: a timeout per call, retries of transient
// failures (undici RetryAgent), and an opossum circuit breaker so an outage fails fast.
import CircuitBreaker from 'opossum';
import { Agent, RetryAgent, request } from 'undici';
import type { ChargeResult, RefundResult } from './payment.js';

export interface PaymentProcessor {
  charge(req: { reference: string; amount: number; card: string }): Promise<ChargeResult>;
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
}

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

  async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
    const res = await request(new URL(path, options.url), {
      method: 'POST',
      dispatcher: retrying,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs * 3),
    });
    const json = await res.body.json().catch(() => ({}));
    if (res.statusCode >= 500) throw new Error(`processor answered ${res.statusCode}`);
    return { status: res.statusCode, json };
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

  const failed = (err: unknown) => ({ outcome: 'failed' as const, error: err instanceof Error ? err.message : String(err) });

  return {
    async charge(req) {
      try {
        const { status, json } = await breaker.fire('/v1/charges', req);
        if (status === 200 && json.status === 'approved') return { outcome: 'approved', authorizationCode: String(json.authorizationCode) };
        if (status === 402) return { outcome: 'declined', reason: String(json.reason ?? 'declined') };
        return failed(new Error(`unexpected processor answer ${status}`));
      } catch (err) {
        return failed(err);
      }
    },
    async refund(req) {
      try {
        const { status, json } = await breaker.fire('/v1/refunds', req);
        if (status === 200 && (json.status === 'refunded' || json.status === 'voided')) return { outcome: json.status };
        return failed(new Error(`unexpected processor answer ${status}`));
      } catch (err) {
        return failed(err);
      }
    },
    state: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed'),
    async close() {
      breaker.shutdown();
      await agent.close();
    },
  };
}
