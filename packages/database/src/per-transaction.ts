import type { Tx } from './port.js';

/**
 * What a repository read or wrote in one transaction, kept for the rest of it: a handler reading the
 * same row again (or a row read for the whole batch beforehand, see the consumer's `prefetch`) gets it
 * without a round trip. Every write to those rows in the transaction must go through `of(tx).set`.
 * The map belongs to the transaction object and goes with it (a Database, outside any transaction, has none).
 */
export function perTransaction<K, V>() {
  const maps = new WeakMap<Tx, Map<K, V>>();
  return {
    of(tx: Tx): Map<K, V> {
      let known = maps.get(tx);
      if (!known) maps.set(tx, (known = new Map()));
      return known;
    },
  };
}
