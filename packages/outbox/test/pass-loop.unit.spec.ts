// A background loop (outbox relay, payment worker, webhook worker) wakes on work: a kick runs the next
// pass without any timer, and kicks that arrive together are taken by one pass. The timers are faked and
// never advanced here: a loop that waited for one (a linger, the idle poll) would never run again.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { passLoop } from '../src/pass-loop.js';

/** A pass that finds nothing and reports each call. */
function countingPass() {
  const calls: number[] = [];
  let next: (() => void) | undefined;
  return {
    calls,
    pass: async () => {
      calls.push(calls.length + 1);
      next?.();
      return 0;
    },
    /** Resolves at the next call of the pass. */
    nextCall: () => new Promise<void>((resolve) => (next = resolve)),
  };
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('passLoop', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] }));
  afterEach(() => void vi.useRealTimers());

  it('a kick runs the next pass with no timer', { timeout: 2_000 }, async () => {
    const p = countingPass();
    const loop = passLoop(p.pass, { idleMs: 60_000, onError: (err) => expect.fail(String(err)) });
    const first = p.nextCall();
    loop.start();
    await first;
    await turns(3); // asleep now: only a kick or the idle timer (never) wakes it
    expect(p.calls).toEqual([1]);
    const second = p.nextCall();
    loop.kick();
    await second;
    expect(p.calls).toEqual([1, 2]);
    const stopped = loop.stop();
    await stopped;
  });

  it('kicks of one turn are taken by one pass, and a kick during a pass brings one more', { timeout: 2_000 }, async () => {
    const p = countingPass();
    const loop = passLoop(p.pass, { idleMs: 60_000, onError: (err) => expect.fail(String(err)) });
    loop.start();
    await turns(3);
    loop.kick();
    loop.kick();
    loop.kick();
    await turns(5);
    expect(p.calls).toEqual([1, 2]);
    // a kick that arrives while a pass looks (its commit came too late for that pass) is not lost
    let kickDuring = true;
    const slow = passLoop(
      async () => {
        p.calls.push(p.calls.length + 1);
        if (kickDuring) {
          kickDuring = false;
          slow.kick();
        }
        return 0;
      },
      { idleMs: 60_000, onError: (err) => expect.fail(String(err)) },
    );
    p.calls.length = 0;
    slow.start();
    await turns(5);
    expect(p.calls).toEqual([1, 2]);
    await loop.stop();
    await slow.stop();
  });
});
