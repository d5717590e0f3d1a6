// The unit of work of one transaction: the rows it loaded (each read once), the writes it staged, and
// the flush that sends them. A handler or a request gets it from its context and uses it in plain sight:
// `uow.load`/`uow.get` read, `uow.stage` gathers a write, and whoever commits calls `await uow.flush()`.
// Gathering pays where a batch writes many rows of one kind: one multi-row statement instead of one per
// row (bench/booking.ts; docs/benchmarks.md).
import type { Tx } from './port.js';

/** Rows of one kind read by key: `read` returns the rows found; a key without a row is known as absent. */
export interface RowKind<K, V> {
  readonly name: string;
  read(tx: Tx, keys: K[]): Promise<Iterable<[K, V]>>;
}
export const rowKind = <K, V>(name: string, read: RowKind<K, V>['read']): RowKind<K, V> => ({ name, read });

/**
 * Writes of one kind, sent at flush as one statement whose $1 is the rows as a JSON array. With `key`, a
 * row replaces the one staged before it with the same key (rows that are a whole current state, such as
 * a status: the last one is the truth).
 */
export interface WriteKind<R> {
  readonly name: string;
  readonly text: string;
  readonly key?: (row: R) => unknown;
  /**
   * For a statement whose RETURNING rows the unit of work needs (what an INSERT … ON CONFLICT DO NOTHING
   * really wrote): flush awaits it and hands them here, with the rows staged, to record them in the unit of work.
   */
  readonly returned?: (uow: UnitOfWork, staged: R[], rows: unknown[]) => void;
}
export const writeKind = <R>(name: string, text: string, key?: (row: R) => unknown, returned?: WriteKind<R>['returned']): WriteKind<R> => ({
  name,
  text,
  key,
  returned,
});

export class UnitOfWork {
  private readonly known = new Map<RowKind<unknown, unknown>, Map<unknown, unknown>>();
  private readonly staged = new Map<WriteKind<unknown>, Map<unknown, unknown>>();
  private unkeyed = 0;
  private guarded = false;

  constructor(readonly tx: Tx) {}

  /** Reads the rows of these keys not known yet, in one statement. */
  async load<K, V>(kind: RowKind<K, V>, keys: Iterable<K>): Promise<void> {
    const missing = this.unknown(kind, keys);
    if (missing.length === 0) return;
    this.record(kind, missing, await kind.read(this.tx, missing));
  }

  /** The keys this unit of work does not know yet (to read them with another kind's, in one statement). */
  unknown<K, V>(kind: RowKind<K, V>, keys: Iterable<K>): K[] {
    const rows = this.rowsOf(kind);
    return [...new Set(keys)].filter((k) => !rows.has(k));
  }

  /** Records what one statement read for these keys: the rows found; the other keys are known as absent. */
  record<K, V>(kind: RowKind<K, V>, keys: Iterable<K>, found: Iterable<[K, V]>): void {
    const rows = this.rowsOf(kind);
    for (const k of keys) if (!rows.has(k)) rows.set(k, undefined);
    for (const [k, v] of found) rows.set(k, v);
  }

  /** One row, read unless this unit of work knows it already (undefined: there is none). */
  async get<K, V>(kind: RowKind<K, V>, key: K): Promise<V | undefined> {
    await this.load(kind, [key]);
    return this.rowsOf(kind).get(key);
  }

  /** What this unit of work wrote (or staged) for a row: the next `get` answers it without a read. */
  remember<K, V>(kind: RowKind<K, V>, key: K, value: V): void {
    this.rowsOf(kind).set(key, value);
  }

  /** Makes the next `get` of this row read it again (after a write that is not staged, such as an upsert). */
  forget<K, V>(kind: RowKind<K, V>, key: K): void {
    this.rowsOf(kind).delete(key);
  }

  /** Gathers a write, sent at flush with the other rows of its kind. */
  stage<R>(kind: WriteKind<R>, row: R): void {
    let rows = this.staged.get(kind as WriteKind<unknown>);
    if (!rows) {
      rows = new Map();
      this.staged.set(kind as WriteKind<unknown>, rows);
    }
    const key = kind.key ? kind.key(row) : this.unkeyed++;
    rows.delete(key); // a replacement goes last, in order
    rows.set(key, row);
    if (!this.guarded) {
      this.guarded = true;
      // a write staged and never flushed is a mistake of the code that commits: fail rather than lose it
      this.tx.beforeCommit(() => {
        const left = [...this.staged.keys()].map((k) => k.name);
        if (left.length > 0) throw new Error(`unit of work committed with staged writes not flushed: ${left.join(', ')}`);
      });
    }
  }

  /** Whether a row of this key is staged and not flushed yet. */
  isStaged<R>(kind: WriteKind<R>, key: unknown): boolean {
    return this.staged.get(kind as WriteKind<unknown>)?.has(key) ?? false;
  }

  /** The row staged with this key and not flushed yet (a keyed kind), or undefined. */
  stagedRow<R>(kind: WriteKind<R>, key: unknown): R | undefined {
    return this.staged.get(kind as WriteKind<unknown>)?.get(key) as R | undefined;
  }

  /**
   * Sends the staged writes, one statement per kind in the order the kinds were first staged. They go
   * with the transaction's next round trip (its next query, or COMMIT); a failure fails that, and the
   * transaction, as if awaited (Tx.enqueue). A kind with `returned` is awaited, and its rows recorded.
   */
  async flush(): Promise<void> {
    const staged = [...this.staged];
    this.staged.clear();
    for (const [kind, rows] of staged) {
      const params = [JSON.stringify([...rows.values()])];
      if (!kind.returned) this.tx.enqueue(kind.text, params);
      else kind.returned(this, [...rows.values()], (await this.tx.query(kind.text, params)).rows);
    }
  }

  private rowsOf<K, V>(kind: RowKind<K, V>): Map<K, V | undefined> {
    let rows = this.known.get(kind as RowKind<unknown, unknown>);
    if (!rows) {
      rows = new Map();
      this.known.set(kind as RowKind<unknown, unknown>, rows);
    }
    return rows as Map<K, V | undefined>;
  }
}
