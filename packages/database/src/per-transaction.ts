import type { Tx } from './port.js';

/**
 * State a repository keeps for the length of one transaction: rows it read or wrote (a handler reading
 * the same row again, or a row read for the whole batch beforehand, see the consumer's `prefetch`, needs
 * no round trip), or writes it gathers to send as one statement (gatheredRows, before COMMIT). Every write
 * to cached rows in the transaction must update the cache. The state belongs to the transaction object and
 * goes with it (a Database, outside any transaction, has none).
 */
export function perTransaction<T>(init: () => T) {
  const states = new WeakMap<Tx, T>();
  return {
    of(tx: Tx): T {
      let state = states.get(tx);
      if (state === undefined) {
        state = init();
        states.set(tx, state);
      }
      return state;
    },
  };
}

/**
 * Rows for one multi-row statement, gathered over a transaction and sent as one statement by `flush`,
 * or at the latest just before COMMIT (`text` reads them as a JSON array, $1). For writes that nothing in
 * the transaction reads back before a flush. With `key`, a row replaces the one gathered before it with
 * the same key (rows that are a whole current state, e.g. a status, where the last one is the truth).
 */
export function gatheredRows<R>(text: string, key?: (row: R) => unknown) {
  let unkeyed = 0;
  const rows = perTransaction(() => new Map<unknown, R>());
  function flush(tx: Tx) {
    const gathered = rows.of(tx);
    if (gathered.size === 0) return;
    tx.enqueue(text, [JSON.stringify([...gathered.values()])]);
    gathered.clear();
  }
  return {
    add(tx: Tx, row: R) {
      const gathered = rows.of(tx);
      if (gathered.size === 0) tx.beforeCommit(() => flush(tx));
      if (key) gathered.delete(key(row)); // the replacement goes last, in order
      gathered.set(key ? key(row) : unkeyed++, row);
    },
    flush,
  };
}

/**
 * Rows by key, each read at most once per transaction: `load` reads the keys not known yet in one
 * statement (`read` returns the rows found; a key without a row is known as absent), `get` one key the
 * same way; `set` records what the transaction wrote, `forget` makes the next get read again.
 */
export function rowsPerTransaction<K, V>(read: (tx: Tx, keys: K[]) => Promise<Iterable<[K, V]>>) {
  const known = perTransaction(() => new Map<K, V | null>());
  async function load(tx: Tx, keys: Iterable<K>) {
    const rows = known.of(tx);
    const missing = [...new Set(keys)].filter((k) => !rows.has(k));
    if (missing.length === 0) return;
    for (const k of missing) rows.set(k, null);
    for (const [k, v] of await read(tx, missing)) rows.set(k, v);
  }
  return {
    load,
    async get(tx: Tx, key: K): Promise<V | undefined> {
      await load(tx, [key]);
      return known.of(tx).get(key) ?? undefined;
    },
    set: (tx: Tx, key: K, value: V) => void known.of(tx).set(key, value),
    forget: (tx: Tx, key: K) => void known.of(tx).delete(key),
  };
}
