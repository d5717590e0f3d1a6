// One shape for every service's domain (emmett's decider): `decide(command, state)` answers events or a
// refusal, as a value; `evolve(state, event)` applies an event. One command handler runs any decider:
// load the state, decide, evolve, save, emit, all in the caller's unit of work. Domain files import this
// package: it has no I/O and no runtime dependency (the unit of work is a type here).
import type { UnitOfWork } from '@airline/database';

/** A command the domain turns down: the answer, not a failure (the caller tells the client why). */
export interface Refused<R> {
  refused: R;
}
export const refuse = <R>(refusal: R): Refused<R> => ({ refused: refusal });
export const isRefused = <E, R>(decision: Decision<E, R>): decision is Refused<R> => !Array.isArray(decision);

/** What a command comes to: the events it causes (none: nothing to do), or its refusal. */
export type Decision<E, R> = E[] | Refused<R>;

export interface Decider<S, C, E, R> {
  decide(command: C, state: S): Decision<E, R>;
  evolve(state: S, event: E): S;
  initialState(): S;
}

/** Where a decider's state lives: read (and locked) in a unit of work, and staged back into it. */
export interface StateStore<Id, S, E> {
  load(uow: UnitOfWork, id: Id): Promise<S | undefined>;
  /** Stages the new state (only called when the command caused events). */
  save(uow: UnitOfWork, id: Id, state: S, events: E[]): void | Promise<void>;
}

export interface CommandHandler<Id, S, E> {
  store: StateStore<Id, S, E>;
  /** Puts the events in the outbox of the unit of work's transaction. */
  emit(id: Id, events: E[]): void | Promise<void>;
}

/** A handled command: the new state and its events (none: nothing happened), or the refusal and the state as it was. */
export type Handled<S, E, R> = { state: S; events: E[] } | { state: S; refused: R };

/** Decides and evolves, without I/O: what one command does to one state. */
export function applyCommand<S, C, E, R>(decider: Decider<S, C, E, R>, state: S, command: C): Handled<S, E, R> {
  const decision = decider.decide(command, state);
  if (isRefused(decision)) return { state, refused: decision.refused };
  return { state: decision.reduce(decider.evolve, state), events: decision };
}

/** Load, decide, evolve, save, emit: one command on one stream, in the caller's unit of work. */
export async function handleCommand<Id, S, C, E, R>(
  decider: Decider<S, C, E, R>,
  handler: CommandHandler<Id, S, E>,
  uow: UnitOfWork,
  id: Id,
  command: C,
): Promise<Handled<S, E, R>> {
  const state = (await handler.store.load(uow, id)) ?? decider.initialState();
  const handled = applyCommand(decider, state, command);
  if ('refused' in handled || handled.events.length === 0) return handled;
  await handler.store.save(uow, id, handled.state, handled.events);
  await handler.emit(id, handled.events);
  return handled;
}
