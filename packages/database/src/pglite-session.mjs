// One PGlite database spoken to the way a PostgreSQL driver speaks to a server: the extended query
// protocol, written and read with node-postgres's own protocol library (pg-protocol) and value
// conversions (pg-types, pg's prepareValue). Plain JavaScript because the worker thread that owns a
// database (pglite-thread.mjs) loads it without a TypeScript loader.
//
// Why not PGlite's query(): it makes six protocol round trips per statement (parse, describe, bind,
// describe, execute, sync) and plans the statement every time. Here:
//   - a statement is parsed and planned once per text (a named prepared statement) and then only bound
//     and executed;
//   - several statements go in one pipeline (Bind/Describe/Execute each, one Sync at the end) and cost
//     one call into PostgreSQL;
//   - parameters travel as text and rows come back converted by pg-types, exactly as through the `pg`
//     adapter of the distributed runtime, so both runtimes see the same values (int8 as a string,
//     timestamptz as a Date, json parsed).
//
// Several services may share one database, each in a schema of its own (pglite-schemas.ts): run and
// exec then name the schema, the session points search_path at it when another schema spoke last, and
// keeps its prepared statements per schema (a statement planned for one schema's tables is never
// re-planned for another's: the same text, `INSERT INTO outbox ...`, has one prepared statement per schema).
import { serialize } from 'pg-protocol';
import { Parser } from 'pg-protocol/dist/parser.js';
import pgTypes from 'pg-types';
import pgUtils from 'pg/lib/utils.js';

const MAX_PREPARED = 1000;
const SET_SEARCH_PATH = "SELECT set_config('search_path', $1, false)";
const ROLLBACK = /^\s*ROLLBACK\b|;\s*ROLLBACK\b/i;

/** A schema's name as an SQL identifier, quoted. */
export function quoteIdentifier(name) {
  return `"${String(name).replace(/"/g, '""')}"`;
}

/** @param {import('@electric-sql/pglite').PGlite} pg */
export function createSession(pg) {
  /** schema and statement text → name of its prepared statement in this (single) session */
  const prepared = new Map();
  let nextName = 0;
  /** the schema search_path points at, as far as this session knows (undefined: not known) */
  let searchPath;

  /** Sends one message buffer; returns the backend's answer, parsed and split per Execute. */
  async function call(message, count) {
    const chunks = [];
    await pg.execProtocolRawStream(message, { onRawData: (data) => chunks.push(Buffer.from(data)) });
    const results = [];
    let current = { fields: [], rows: [], rowCount: 0 };
    let parsed = 0;
    let error;
    new Parser().parse(Buffer.concat(chunks), (msg) => {
      switch (msg.name) {
        case 'parseComplete':
          parsed++;
          break;
        case 'rowDescription':
          current.fields = msg.fields.map((f) => ({ name: f.name, parse: pgTypes.getTypeParser(f.dataTypeID, 'text') }));
          break;
        case 'dataRow': {
          const row = {};
          const { fields } = current;
          for (let i = 0; i < fields.length; i++) {
            const v = msg.fields[i];
            row[fields[i].name] = v === null ? null : fields[i].parse(v);
          }
          current.rows.push(row);
          break;
        }
        case 'commandComplete':
        case 'emptyQuery': {
          const n = msg.name === 'commandComplete' ? Number(msg.text.slice(msg.text.lastIndexOf(' ') + 1)) : 0;
          results.push({ rows: current.rows, rowCount: Math.max(Number.isInteger(n) ? n : 0, current.rows.length) });
          current = { fields: [], rows: [], rowCount: 0 };
          break;
        }
        case 'error':
          error ??= Object.assign(msg, { statementIndex: results.length });
          break;
      }
    });
    if (!error && count !== undefined && results.length !== count) throw new Error(`expected ${count} results, got ${results.length}`);
    return { results, parsed, error };
  }

  /**
   * Runs statements in order in one pipeline (one call into PostgreSQL) and returns each one's rows.
   * Outside an explicit transaction they form one implicit transaction. The first error stops the
   * rest and is thrown, carrying `statementIndex`. With `schema`, they run with search_path at it.
   */
  async function run(statements, schema) {
    // (not before a ROLLBACK: after an error in a transaction nothing else runs until it, and it needs no schema)
    const switching = schema !== undefined && schema !== searchPath && !(statements.length > 0 && ROLLBACK.test(statements[0].text));
    if (switching) statements = [{ text: SET_SEARCH_PATH, params: [quoteIdentifier(schema)] }, ...statements];
    const parts = [];
    const fresh = [];
    for (const { text, params } of statements) {
      const key = schema === undefined ? text : `${schema}\0${text}`;
      let name = prepared.get(key);
      if (name === undefined) {
        name = fresh.find((f) => f.key === key)?.name;
        if (name === undefined) {
          name = `s${nextName++}`;
          fresh.push({ key, name });
          parts.push(serialize.parse({ name, text, types: [] }));
        }
      }
      parts.push(
        serialize.bind({ statement: name, values: (params ?? []).map((p) => pgUtils.prepareValue(p)) }),
        serialize.describe({ type: 'P' }),
        serialize.execute(),
      );
    }
    parts.push(serialize.sync());
    const { results, parsed, error } = await call(Buffer.concat(parts), statements.length);
    // a failed pipeline rolls back its search_path with it, and so does a ROLLBACK of the transaction it was set in
    if (error || statements.some((s) => ROLLBACK.test(s.text))) searchPath = undefined;
    else if (switching) searchPath = schema;
    if (switching) {
      results.shift();
      if (error) error.statementIndex -= 1;
    }
    // statements parsed before an error exist in the session: remember them (or close them when full)
    for (const f of fresh.slice(0, parsed)) {
      if (prepared.size < MAX_PREPARED) prepared.set(f.key, f.name);
      else await call(Buffer.concat([serialize.close({ type: 'S', name: f.name }), serialize.sync()]));
    }
    if (error) {
      if (error.code === '0A000' && /cached plan/.test(error.message)) prepared.clear(); // a migration changed a table under a plan
      throw error;
    }
    return results;
  }

  /** Statements without parameters, several at once (simple query protocol): migrations. With `schema`, search_path at it. */
  async function exec(sql, schema) {
    const switching = schema !== undefined && schema !== searchPath;
    const { error } = await call(serialize.query(switching ? `SET search_path TO ${quoteIdentifier(schema)};\n${sql}` : sql));
    if (error || ROLLBACK.test(sql)) searchPath = undefined;
    else if (switching) searchPath = schema;
    if (error) throw error;
  }

  return { run, exec, close: () => pg.close() };
}
