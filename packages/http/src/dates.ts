// Dates as the API takes them: real calendar dates (no 2024-02-30, no 0000-01-01) within the years an
// airline books and flies, so a date stored once (a customer's recentReserveDate) is one that exists.
import { Type } from '@sinclair/typebox';

/** The years a date of this API may fall in. */
export const DATE_RANGE = { firstYear: 2000, lastYear: 2099 } as const;
const YEAR = '20\\d{2}';

/** `YYYY-MM-DD`, a day that exists (Ajv's `date` format knows month lengths and leap years), years 2000–2099. */
export const CalendarDate = (options: { description?: string; examples?: string[] } = {}) =>
  Type.String({ format: 'date', pattern: `^${YEAR}-\\d{2}-\\d{2}$`, ...options });

/** `YYYY-MM-DD` or `YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm]`, whose date is a day that exists (check with isCalendarDate). */
export const CalendarDateOrTime = (options: { description?: string; examples?: string[] } = {}) =>
  Type.String({ pattern: `^${YEAR}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})?)?$`, ...options });

const daysIn = (year: number, month: number) =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** Whether text is a `YYYY-MM-DD` that exists in the range, optionally with a time of day (as CalendarDateOrTime). */
export function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|([+-])(\d{2}):(\d{2}))?)?$/.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < DATE_RANGE.firstYear || year > DATE_RANGE.lastYear || month < 1 || month > 12 || day < 1 || day > daysIn(year, month))
    return false;
  if (m[4] === undefined) return true;
  const offsetOk = m[7] === undefined || (Number(m[8]) <= 14 && Number(m[9]) <= 59);
  return Number(m[4]) <= 23 && Number(m[5]) <= 59 && Number(m[6] ?? 0) <= 59 && offsetOk;
}
