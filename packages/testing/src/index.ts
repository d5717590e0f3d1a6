// Test helpers shared by every service's specs.
import { expect } from 'vitest';

export * from './infra.js';
export * from './http.js';

/**
 * given(state).when(command).then(events) for a decider's decide(command, state), which answers events
 * or a refusal as a value ({ refused }): reads as the specification.
 */
export function decideSpec<S, C, E>(decide: (command: C, state: S) => E[] | { refused: unknown }) {
  const eventsOf = (state: S, command: C): E[] => {
    const decision = decide(command, state);
    if (!Array.isArray(decision))
      expect.fail(`expected events, the command was refused: ${String((decision.refused as Error)?.message ?? decision.refused)}`);
    return decision;
  };
  return {
    given: (state: S) => ({
      when: (command: C) => ({
        // biome-ignore lint/suspicious/noThenProperty: given/when/then reads as the specification; nobody awaits it
        then: (expected: E[] | ((events: E[]) => void)) => {
          const events = eventsOf(state, command);
          if (typeof expected === 'function') expected(events);
          else expect(events).toEqual(expected);
        },
        thenNothingHappened: () => expect(eventsOf(state, command)).toEqual([]),
        thenRejected: (match: RegExp | ((refusal: unknown) => boolean)) => {
          const decision = decide(command, state);
          expect(Array.isArray(decision), 'expected the command to be refused').toBe(false);
          const refusal = (decision as { refused: unknown }).refused;
          if (match instanceof RegExp) expect(String((refusal as Error).message)).toMatch(match);
          else expect(match(refusal)).toBe(true);
        },
      }),
    }),
  };
}
