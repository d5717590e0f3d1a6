// Bookings placed and their outcomes over time: grouped bars in plain SVG, with the same numbers in a
// table for screen readers.
import { useId, useLayoutEffect, useRef, useState } from 'react';
import type { OutcomeBucket } from '../format';

const SERIES = [
  { key: 'placed', label: 'Placed', className: 'bar-placed' },
  { key: 'confirmed', label: 'Confirmed', className: 'bar-confirmed' },
  { key: 'canceled', label: 'Cancelled', className: 'bar-canceled' },
] as const;

/** Drawn at the width it is shown at (one unit = one CSS pixel), so its labels keep their size on a phone. */
const DEFAULT_W = 640;
const MIN_W = 260;
const H = 220;
/** Room one time label needs along the axis. */
const LABEL_PX = 64;
const PAD = { left: 36, right: 8, top: 12, bottom: 28 };

/** The width of an element in CSS pixels, followed as it changes. */
function useWidth<E extends HTMLElement>(fallback: number) {
  const ref = useRef<E>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.round(el.getBoundingClientRect().width) || fallback);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [fallback]);
  return [ref, width] as const;
}

export function OutcomeChart({ buckets, bucketMs }: { buckets: OutcomeBucket[]; bucketMs: number }) {
  const titleId = useId();
  const [figure, measured] = useWidth<HTMLElement>(DEFAULT_W);
  const W = Math.max(MIN_W, measured);
  const max = Math.max(1, ...buckets.flatMap((b) => [b.placed, b.confirmed, b.canceled]));
  const ticks = niceTicks(max);
  const top = ticks[ticks.length - 1] ?? max;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, buckets.length);
  const barW = Math.max(1, (slot * 0.8) / SERIES.length);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const label = (start: number) => timeLabel(start, bucketMs);
  const labelEvery = Math.max(1, Math.ceil(buckets.length / Math.max(2, Math.floor(plotW / LABEL_PX))));
  const totals = buckets.reduce(
    (t, b) => ({ placed: t.placed + b.placed, confirmed: t.confirmed + b.confirmed, canceled: t.canceled + b.canceled }),
    { placed: 0, confirmed: 0, canceled: 0 },
  );

  return (
    <figure className="chart" ref={figure}>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-labelledby={titleId} preserveAspectRatio="xMidYMid meet">
        <title id={titleId}>
          Bookings over time: {totals.placed} placed, {totals.confirmed} confirmed, {totals.canceled} cancelled
        </title>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} className="grid" />
            <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" className="axis">
              {t}
            </text>
          </g>
        ))}
        {buckets.map((b, i) => (
          <g key={b.start}>
            {SERIES.map((s, j) => {
              const v = b[s.key];
              return v > 0 ? (
                <rect
                  key={s.key}
                  x={PAD.left + i * slot + slot * 0.1 + j * barW}
                  y={y(v)}
                  width={barW}
                  height={y(0) - y(v)}
                  className={s.className}
                >
                  <title>{`${label(b.start)}: ${v} ${s.label.toLowerCase()}`}</title>
                </rect>
              ) : null;
            })}
            {i % labelEvery === 0 ? (
              <text x={PAD.left + i * slot + slot / 2} y={H - 8} textAnchor="middle" className="axis">
                {label(b.start)}
              </text>
            ) : null}
          </g>
        ))}
        <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} className="axis-line" />
      </svg>
      <figcaption>
        <ul className="legend">
          {SERIES.map((s) => (
            <li key={s.key}>
              <span className={`swatch ${s.className}`} aria-hidden="true" /> {s.label} ({totals[s.key]})
            </li>
          ))}
        </ul>
      </figcaption>
      <details>
        <summary>Show the numbers</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">From</th>
              {SERIES.map((s) => (
                <th key={s.key} scope="col" className="num">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {buckets
              .filter((b) => b.placed + b.confirmed + b.canceled > 0)
              .map((b) => (
                <tr key={b.start}>
                  <th scope="row">{label(b.start)}</th>
                  {SERIES.map((s) => (
                    <td key={s.key} className="num">
                      {b[s.key]}
                    </td>
                  ))}
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

function niceTicks(max: number): number[] {
  const rough = max / 4;
  const pow = 10 ** Math.floor(Math.log10(rough || 1));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= rough) ?? pow * 10);
  const ticks: number[] = [];
  for (let t = 0; t < max + step; t += step) ticks.push(Math.max(0, Math.round(t)));
  return [...new Set(ticks)];
}

function timeLabel(start: number, bucketMs: number): string {
  const d = new Date(start);
  if (bucketMs >= 24 * 60 * 60_000) return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });
  if (bucketMs >= 60_000) return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
