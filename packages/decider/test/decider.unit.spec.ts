// The one command handler: load the state, decide, evolve, save, emit. A refusal is an answer (a value),
// and neither a refusal nor a command that changes nothing saves or emits anything.
import { describe, expect, it } from 'vitest';
import type { UnitOfWork } from '@airline/database';
import { handleCommand, refuse, type Decider } from '../src/index.js';

type Counter = { count: number };
type Command = { type: 'Add'; n: number };
type Added = { type: 'Added'; n: number };
const counter: Decider<Counter, Command, Added, string> = {
  decide: (command, _state) =>
    command.n < 0 ? refuse(`cannot add ${command.n}`) : command.n === 0 ? [] : [{ type: 'Added', n: command.n }],
  evolve: (state, event) => ({ count: state.count + event.n }),
  initialState: () => ({ count: 0 }),
};

function world(stored?: Counter) {
  const saved: Array<[string, Counter, Added[]]> = [];
  const emitted: Array<[string, Added[]]> = [];
  const handler = {
    store: {
      load: async () => stored,
      save: (_uow: UnitOfWork, id: string, state: Counter, events: Added[]) => void saved.push([id, state, events]),
    },
    emit: (id: string, events: Added[]) => void emitted.push([id, events]),
  };
  const uow = {} as UnitOfWork; // the store here keeps nothing in it
  return { saved, emitted, run: (command: Command) => handleCommand(counter, handler, uow, 'c-1', command) };
}

describe('the command handler', () => {
  it('evolves the loaded state with the decided events, saves it and emits them', async () => {
    const { saved, emitted, run } = world({ count: 2 });
    expect(await run({ type: 'Add', n: 3 })).toEqual({ state: { count: 5 }, events: [{ type: 'Added', n: 3 }] });
    expect(saved).toEqual([['c-1', { count: 5 }, [{ type: 'Added', n: 3 }]]]);
    expect(emitted).toEqual([['c-1', [{ type: 'Added', n: 3 }]]]);
  });
  it('starts from the initial state when there is nothing to load', async () => {
    expect(await world().run({ type: 'Add', n: 1 })).toMatchObject({ state: { count: 1 } });
  });
  it('answers a refusal as a value, with the state as it was, saving and emitting nothing', async () => {
    const { saved, emitted, run } = world({ count: 2 });
    expect(await run({ type: 'Add', n: -1 })).toEqual({ state: { count: 2 }, refused: 'cannot add -1' });
    expect([saved, emitted]).toEqual([[], []]);
  });
  it('saves and emits nothing when the command changes nothing', async () => {
    const { saved, emitted, run } = world({ count: 2 });
    expect(await run({ type: 'Add', n: 0 })).toEqual({ state: { count: 2 }, events: [] });
    expect([saved, emitted]).toEqual([[], []]);
  });
});
