/**
 * Runs the functions given to it one after another, each once the one before has settled (whether it
 * resolved or threw), and gives back each one's own result: one connection's turns, or appends that
 * must land in order.
 */
export function oneAtATime() {
  let last: Promise<unknown> = Promise.resolve();
  return function turn<T>(fn: () => Promise<T>): Promise<T> {
    const run = last.then(fn, fn);
    last = run.catch(() => undefined);
    return run;
  };
}
