// The loop behind every background worker here (outbox relay, payment worker, webhook worker): run a
// pass; while it finds work, run again at once; otherwise sleep until the next poll or a kick.

export interface PassLoop {
  /** Look now (something was just committed); lingers `lingerMs` first so that what arrives together is taken together. */
  kick(): void;
  start(): void;
  /** Stops after the pass under way. */
  stop(): Promise<void>;
}

export interface PassLoopOptions {
  /** How long to sleep when a pass found nothing and nobody kicked. */
  idleMs: number;
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
          setTimeout(resolve, options.lingerMs ?? 0);
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
