// Test helpers shared by every service's specs.
import { expect } from 'vitest';

export * from './infra.js';
export * from './http.js';

/** given(state).when(command).then(events) for a decide function: reads as the specification. */
export function decideSpec<S, C, E>(decide: (state: S, command: C) => E[]) {
  return {
    given: (state: S) => ({
      when: (command: C) => ({
        then: (expected: E[] | ((events: E[]) => void)) => {
          const events = decide(state, command);
          if (typeof expected === 'function') expected(events);
          else expect(events).toEqual(expected);
        },
        thenNothingHappened: () => expect(decide(state, command)).toEqual([]),
        thenRejected: (match: RegExp | ((err: unknown) => boolean)) => {
          let thrown: unknown;
          try {
            decide(state, command);
          } catch (err) {
            thrown = err;
          }
          expect(thrown, 'expected the command to be rejected').toBeDefined();
          if (match instanceof RegExp) expect(String((thrown as Error).message)).toMatch(match);
          else expect(match(thrown)).toBe(true);
        },
      }),
    }),
  };
}
