// The processor client reports every call's outcome (airline_processor_calls_total) and its breaker's
// state (airline_processor_breaker_state): against a processor that is not there, calls fail, the
// breaker opens, and later calls are refused by it without being sent.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { httpPaymentProcessor, type ProcessorCallOutcome } from '../src/processor.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe('the processor client', () => {
  it('counts failed calls, opens its breaker, and then counts refusals that were never sent', async () => {
    const outcomes: Array<[string, ProcessorCallOutcome]> = [];
    const states: string[] = [];
    const processor = httpPaymentProcessor({
      url: `http://127.0.0.1:${await closedPort()}`,
      timeoutMs: 200,
      retries: 0,
      breakerResetMs: 60_000,
      onCall: (operation, outcome) => outcomes.push([operation, outcome]),
      onBreaker: (state) => states.push(state),
    });
    try {
      expect(processor.state()).toBe('closed');
      for (let i = 0; i < 5; i++)
        expect((await processor.charge({ reference: `r${i}`, amount: 100, paymentMethod: 'pm_card_visa' })).outcome).toBe('failed');
      expect(processor.state()).toBe('open');
      expect(states).toEqual(['open']);
      expect((await processor.refund({ reference: 'r0' })).outcome).toBe('failed');
      expect(outcomes).toEqual([...Array(5).fill(['charge', 'failed']), ['refund', 'rejected']]);
    } finally {
      await processor.close();
    }
  });
});
