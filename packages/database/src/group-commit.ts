// Group commit: requests that arrive while a transaction is under way wait, and go together in the next
// one. With one connection (PGlite) a transaction per request makes the database wait on every round
// trip of every request; a group pays those round trips once. No timer: an idle group commit starts at
// once, so a lone request is not delayed.
import type { Database, Tx } from './port.js';

/** What one request of a group came to: its value, or the refusal that is its answer (not a failure of the group). */
export type Outcome<O> = { ok: O } | { refused: unknown };

export interface GroupCommitOptions<I, O> {
  db: Database;
  /** Runs the inputs in one transaction and answers each, in order. Throwing fails the whole group. */
  run(tx: Tx, inputs: I[]): Promise<Outcome<O>[]>;
  /** Runs after each commit (e.g. kick the outbox relay), with the number of inputs it committed (metrics). */
  onCommit?: (size: number) => void;
  /**
   * Told when a group's transaction failed and its inputs are run again one by one. `run` should refuse
   * everything one input can be refused for before it writes, so this is for what no single input
   * causes (and for a mistake of that rule, which is worth a log line: it slows every request of the group).
   */
  onGroupFailed?: (error: unknown, size: number) => void;
  maxGroup?: number;
}

/**
 * Returns a function that runs one input as part of a group. Refusals are answers (`Outcome`), not
 * failures: `run` decides them before writing, so a bad input costs the group nothing. When a group's
 * transaction fails all the same, nothing of it is written and each of its inputs runs again alone, so
 * an input that breaks the transaction (a bug) fails only its own request.
 */
export function groupCommit<I, O>(options: GroupCommitOptions<I, O>): (input: I) => Promise<O> {
  const maxGroup = options.maxGroup ?? 256;
  type Waiting = { input: I; resolve: (o: O) => void; reject: (e: unknown) => void };
  let queue: Waiting[] = [];
  let running = false;

  const settle = (w: Waiting, outcome: Outcome<O>) => ('ok' in outcome ? w.resolve(outcome.ok) : w.reject(outcome.refused));

  async function runGroup(group: Waiting[]) {
    let outcomes: Outcome<O>[];
    try {
      outcomes = await options.db.transaction((tx) =>
        options.run(
          tx,
          group.map((w) => w.input),
        ),
      );
    } catch (err) {
      if (group.length === 1) return group[0]!.reject(err);
      options.onGroupFailed?.(err, group.length);
      for (const w of group) await runGroup([w]);
      return;
    }
    for (const [i, w] of group.entries()) settle(w, outcomes[i]!);
    options.onCommit?.(group.length);
  }

  async function drain() {
    running = true;
    try {
      while (queue.length > 0) {
        const group = queue.slice(0, maxGroup);
        queue = queue.slice(group.length);
        await runGroup(group);
      }
    } finally {
      running = false;
    }
  }

  return (input) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      if (!running) void drain();
    });
}
