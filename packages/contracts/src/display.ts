// How the system writes money and dates for people: one format everywhere, the web pages, the
// notifications, the webhooks' messages and the staff's history (Intl, en-GB: "₩400,000", "10 Jan 2027").
// Pure and dependency-free, so the web UI imports it too (`@airline/contracts/display`).

export const DISPLAY_LOCALE = 'en-GB';

const moneyFormats = new Map<string, Intl.NumberFormat>();
const moneyFormat = (currency: string) => {
  let f = moneyFormats.get(currency);
  if (!f) {
    f = new Intl.NumberFormat(DISPLAY_LOCALE, { style: 'currency', currency });
    moneyFormats.set(currency, f);
  }
  return f;
};

/** The number of minor units in a major one is 10^digits: KRW 0, USD 2, BHD 3 (ISO 4217, as Intl knows it). */
export const minorDigits = (currency: string) => moneyFormat(currency).resolvedOptions().maximumFractionDigits ?? 2;

/**
 * An amount in minor units of a currency, for people: `formatMoney(400000, 'KRW')` → `₩400,000`,
 * `formatMoney(129900, 'USD')` → `US$1,299.00`. Exact for any safe integer: the decimal is written out as
 * text and handed to Intl as such, never divided as a float.
 */
export function formatMoney(minorUnits: number, currency: string): string {
  if (!Number.isSafeInteger(minorUnits)) throw new RangeError(`an amount is a whole number of minor units, not ${minorUnits}`);
  const digits = minorDigits(currency);
  const text = Math.abs(minorUnits)
    .toString()
    .padStart(digits + 1, '0');
  const decimal = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  // Intl formats a decimal string exactly (ECMA-402 "Intl.NumberFormat v3", Node 19+)
  return moneyFormat(currency).format(`${minorUnits < 0 ? '-' : ''}${decimal}` as unknown as number);
}

const dayFormat = new Intl.DateTimeFormat(DISPLAY_LOCALE, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/**
 * A day for people: `2027-01-10` → `10 Jan 2027`. A day is shown as written (never shifted by a time
 * zone); an instant (`…T…Z`) as its day in `timeZone` (UTC unless given).
 */
export function formatDate(value: string, timeZone = 'UTC'): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day) return dayFormat.format(new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))));
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return value;
  return new Intl.DateTimeFormat(DISPLAY_LOCALE, { day: 'numeric', month: 'short', year: 'numeric', timeZone }).format(at);
}

/** An instant for people, in a zone: `10 Jan 2027, 10:00`. */
export function formatDateTime(value: string, timeZone = 'UTC'): string {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return value;
  return new Intl.DateTimeFormat(DISPLAY_LOCALE, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).format(at);
}

/** A scheduled local time (`2027-01-10T10:00` at an airport): `10 Jan 2027, 10:00`, as the airport's clocks show it. */
export function formatLocalTime(local: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(local);
  return m ? `${formatDate(m[1]!)}, ${m[2]}` : local;
}

/** Passengers for people: `Minji Kim, Jisoo Park and 1 to be named`. */
export function formatPassengers(named: Array<{ givenName: string; familyName: string }>, seatQty: number): string {
  const names = named.map((p) => `${p.givenName} ${p.familyName}`);
  const unnamed = Math.max(0, seatQty - named.length);
  if (unnamed > 0) names.push(`${unnamed} to be named`);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
