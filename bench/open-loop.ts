// The open-loop load of `npm run bench -- --rate`: requests go out at a fixed arrival rate, each at
// its scheduled time whatever the ones before it are doing, and every latency is counted from that
// scheduled time — a request that had to wait for a connection waited as a customer would, so a slow
// system cannot hide its slowness by slowing the load (no coordinated omission).

export interface OpenLoopResult<K> {
  /** What each request answered (a reservation id), and when it was scheduled to be sent (ms epoch). */
  scheduledAt: Map<K, number>;
  /** Requests that failed, with why. */
  errors: string[];
  /** How far behind its schedule the last request went out, ms (large: the load generator could not keep up). */
  lagMs: number;
}

/** `count` requests at `rate` per second; `send(i)` makes the i-th and resolves with its key. */
export async function openLoop<K>(count: number, rate: number, send: (i: number) => Promise<K>): Promise<OpenLoopResult<K>> {
  const scheduledAt = new Map<K, number>();
  const errors: string[] = [];
  const inFlight: Promise<void>[] = [];
  const t0 = Date.now();
  let lagMs = 0;
  for (let i = 0; i < count; i++) {
    const at = t0 + (i * 1000) / rate;
    const wait = at - Date.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    lagMs = Math.max(lagMs, Date.now() - at);
    inFlight.push(
      send(i).then(
        (key) => void scheduledAt.set(key, at),
        (err: unknown) => void errors.push(err instanceof Error ? err.message : String(err)),
      ),
    );
  }
  await Promise.all(inFlight);
  return { scheduledAt, errors, lagMs: Math.round(lagMs) };
}

/** `--rate 120` → [{rate: 120}]; `--rate 25%,50%,75%` → shares of a maximum the caller measures first. */
export function parseRates(spec: string): Array<{ rate: number } | { share: number }> {
  return spec
    .split(',')
    .filter(Boolean)
    .map((s) => {
      const share = /^(\d+(?:\.\d+)?)%$/.exec(s.trim());
      const n = Number(share ? share[1] : s);
      if (!Number.isFinite(n) || n <= 0)
        throw new Error(`--rate takes bookings/s or a share of the maximum such as 25%, not ${JSON.stringify(s)}`);
      return share ? { share: n / 100 } : { rate: n };
    });
}

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** p50, p99 and p99.9 of latencies in ms. */
export const latencySummary = (xs: number[]) => ({
  p50: Math.round(percentile(xs, 50)),
  p99: Math.round(percentile(xs, 99)),
  'p99.9': Math.round(percentile(xs, 99.9)),
  n: xs.length,
});
