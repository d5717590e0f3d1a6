// A table of whatever rows a read model returns: columns in the order given (the rest after them),
// headers in words, dates and numbers formatted. Read models may grow fields; the table follows.
import { formatDate, formatDateTime } from '../format';

export function DataTable({
  rows,
  columns = [],
  caption,
  rowKey,
  headings = {},
}: {
  rows: Array<Record<string, unknown>>;
  columns?: string[];
  caption: string;
  rowKey?: string;
  headings?: Record<string, string>;
}) {
  const words = (k: string) => headings[k] ?? fieldWords(k);
  const keys = [
    ...columns,
    ...[...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => !columns.includes(k) && isScalarColumn(rows, k)),
  ];
  return (
    <div className="table-scroll">
      <table className="responsive">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {keys.map((k) => (
              <th key={k} scope="col" className={isNumeric(rows, k) ? 'num' : undefined}>
                {words(k)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={String(rowKey ? r[rowKey] : i)}>
              {keys.map((k) => (
                <td key={k} data-label={words(k)} className={isNumeric(rows, k) ? 'num' : undefined}>
                  {cell(r[k])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** `recentReserveDate` → `Recent reserve date` */
export function fieldWords(key: string): string {
  const s = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const isScalarColumn = (rows: Array<Record<string, unknown>>, k: string) =>
  rows.every((r) => r[k] === null || r[k] === undefined || typeof r[k] !== 'object');
const isNumeric = (rows: Array<Record<string, unknown>>, k: string) => rows.some((r) => typeof r[k] === 'number') && !/id$/i.test(k);

function cell(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return v.toLocaleString('en-US');
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) return formatDateTime(v);
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return formatDate(v);
  return String(v);
}
