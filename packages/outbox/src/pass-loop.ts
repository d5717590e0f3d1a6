// The loop behind every background worker here (outbox relay, payment worker, webhook worker): run a
// pass; while it finds work, run again at once; otherwise sleep until the next poll or a kick.
// A kick wakes the loop on work, not on a timer: the next pass starts once the code running now (the
// commit that kicked, and whatever else that turn of the event loop does) has finished, so what arrives
// together is still taken together, at no wait. The idle timer is only for work that becomes due with
// time (a retry's backoff) or is written elsewhere (another replica).

export interface PassLoop {
  /** Look now (something was just committed): at the end of this turn of the event loop, or after `lingerMs` when one is set. */
  kick(): void;
  start(): void;
  /** Stops after the pass under way. */
  stop(): Promise<void>;
}

export interface PassLoopOptions {
  /** How long to sleep when a pass found nothing and nobody kicked. */
  idleMs: number;
  /** Wait this long after a kick for more work to take together (default 0: no timer, the next turn of the event loop). */
  lingerMs?: number;
  /** A pass that throws is reported here; the loop sleeps and tries again. */
  onError: (err: unknown) => void;
}

/** `pass` returns how much work it did (0 = nothing to do). */
export function passLoop(pass: () => Promise<number>, options: PassLoopOptions): PassLoop {
  let running = false;
  let loop: Promise<void> | undefined;
  let kicked = false;
  let wake: () => void = () => {};

  async function run() {
    while (running) {
      let done = 0;
      try {
        done = await pass();
      } catch (err) {
        options.onError(err);
      }
      if (done > 0 || !running) continue;
      await new Promise<void>((resolve) => {
        const idle = setTimeout(resolve, options.idleMs);
        wake = () => {
          clearTimeout(idle);
          wake = () => {};
          if (options.lingerMs) setTimeout(resolve, options.lingerMs);
          else setImmediate(resolve);
        };
        if (kicked) wake();
      });
      kicked = false;
      wake = () => {};
    }
  }

  return {
    kick() {
      kicked = true;
      wake();
    },
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake();
      await loop;
    },
  };
}
