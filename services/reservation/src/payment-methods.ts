// Booking never keeps a card number: a card sent to POST /reservations is swapped for the processor's
// payment-method token before anything is stored or emitted (the way hosted card fields work, done on
// the server for clients that still send the number). The port, and its adapter over the processor
// sandbox's tokenisation endpoint.
import { Agent, request } from 'undici';
import { DEFAULT_PAYMENT_METHOD, cardProblem, wellKnownPaymentMethod, type PaymentMethodSummary } from '@airline/contracts';
import { HttpProblem, badRequest } from '@airline/http';
import { clientSpan, tracerFor } from '@airline/telemetry';

export interface PaymentMethods {
  /** The token of a card that passed the card rule. Throws CardRefused or PaymentMethodsUnavailable. */
  tokenize(card: string): Promise<PaymentMethodSummary>;
  /** Brand and last four of a token a client got from the processor; undefined when the processor issued no such token. */
  describe(paymentMethod: string): Promise<PaymentMethodSummary | undefined>;
  close(): Promise<void>;
}

/** The processor refused the card (its own check of the number). */
export class CardRefused extends Error {
  constructor(readonly detail: string) {
    super(`the processor refused the card: ${detail}`);
    this.name = 'CardRefused';
  }
}

/** The processor could not be asked (down, slow, or answering 5xx): the client may try again shortly. */
export class PaymentMethodsUnavailable extends Error {
  constructor(cause: string) {
    super(`the card processor cannot tokenise now: ${cause}`);
    this.name = 'PaymentMethodsUnavailable';
  }
}

type View = { id: string; brand: string; last4: string };
const summary = (v: View): PaymentMethodSummary => ({ paymentMethod: v.id, cardBrand: v.brand, cardLast4: v.last4 });

export function httpPaymentMethods(options: { url: string; timeoutMs?: number }): PaymentMethods {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const agent = new Agent({ connections: 16, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 30_000 });

  const tracer = tracerFor('reservation'); // undefined while tracing is off
  // biome-ignore lint/suspicious/noExplicitAny: the processor's JSON answer, whose fields are checked where they are read
  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: any }> {
    try {
      const route = path.startsWith('/v1/payment-methods/') ? '/v1/payment-methods/:id' : path;
      return await clientSpan(
        tracer,
        `${method} ${route}`,
        { 'http.request.method': method, 'server.address': 'payment-processor', 'url.path': route },
        async (traceHeaders, span) => {
          const res = await request(new URL(path, options.url), {
            method,
            dispatcher: agent,
            headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...traceHeaders },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(timeoutMs),
          });
          span?.setAttribute('http.response.status_code', res.statusCode);
          const json = await res.body.json().catch(() => ({}));
          if (res.statusCode >= 500) throw new PaymentMethodsUnavailable(`it answered ${res.statusCode}`);
          return { status: res.statusCode, json };
        },
      );
    } catch (err) {
      if (err instanceof PaymentMethodsUnavailable) throw err;
      throw new PaymentMethodsUnavailable(err instanceof Error ? err.message : String(err));
    }
  }

  return {
    async tokenize(card) {
      const { status, json } = await call('POST', '/v1/payment-methods', { card });
      if (status === 201) return summary(json as View);
      if (status === 400) throw new CardRefused(String(json.detail ?? 'invalid card'));
      throw new PaymentMethodsUnavailable(`unexpected answer ${status}`);
    },
    async describe(paymentMethod) {
      const known = wellKnownPaymentMethod(paymentMethod);
      if (known) return known;
      const { status, json } = await call('GET', `/v1/payment-methods/${encodeURIComponent(paymentMethod)}`);
      if (status === 200) return summary(json as View);
      if (status === 404 || status === 400) return undefined;
      throw new PaymentMethodsUnavailable(`unexpected answer ${status}`);
    },
    close: () => agent.close(),
  };
}

/** Seconds a client is asked to wait when the processor cannot tokenise (Retry-After). */
export const TOKENISE_RETRY_AFTER_S = 5;

/**
 * The payment method of a booking request: the token of the card sent (tokenised now), the token sent
 * (a client that tokenised first), or the default test card. Bad input is a 400 naming the field; a
 * processor that cannot be asked is a 503 (the caller adds Retry-After). Nothing is stored before this.
 */
export async function paymentMethodOf(
  body: { card?: string; paymentMethod?: string },
  port: PaymentMethods | undefined,
): Promise<PaymentMethodSummary> {
  if (body.card !== undefined && body.paymentMethod !== undefined) throw badRequest('send card or paymentMethod, not both', 'card');
  if (body.card === undefined && body.paymentMethod === undefined) return DEFAULT_PAYMENT_METHOD;
  try {
    if (body.card !== undefined) {
      const problem = cardProblem(body.card);
      if (problem) throw badRequest(problem, 'card');
      if (!port) throw new PaymentMethodsUnavailable('no card processor is configured');
      return await port.tokenize(body.card);
    }
    const wellKnown = wellKnownPaymentMethod(body.paymentMethod!);
    if (wellKnown) return wellKnown;
    if (!port) throw new PaymentMethodsUnavailable('no card processor is configured');
    const known = await port.describe(body.paymentMethod!);
    if (!known) throw badRequest('the processor issued no such payment method', 'paymentMethod');
    return known;
  } catch (err) {
    if (err instanceof CardRefused) throw badRequest(err.detail, 'card');
    if (err instanceof PaymentMethodsUnavailable)
      throw new HttpProblem(503, 'Card processor unavailable', `${err.message}; try again in ${TOKENISE_RETRY_AFTER_S} s`, undefined, {
        retryAfter: TOKENISE_RETRY_AFTER_S,
      });
    throw err;
  }
}
