// Password guessing is slowed per account, whatever the addresses it comes from, while the account's
// owner signing in from elsewhere gets through:
//   - each source (an IPv4 address, an IPv6 /64) that fails at an account has a few free tries, then
//     waits, twice as long after each failure;
//   - once the account has had many failures from all sources together, every source that has failed
//     there waits too, for a time that doubles with the account's failures — so spreading guesses over
//     many addresses buys nothing;
//   - a source that has not failed at the account is let through (the owner, from their own machine),
//     unless the failures come from so many sources that the account is under a spread-out attack:
//     then everybody waits, the owner too (availability traded for the password's safety).
// The key is the username as typed, whether or not such a user exists, so a refusal (429) says nothing
// about which accounts exist, and costs the same either way.
//
// State lives in the gateway's database (table login_attempts), not in one replica's memory: replicas
// share it, so N replicas do not give N budgets, and a restart does not reset it. An attempt is counted
// before its password is checked (under a per-account lock), so a burst of parallel guesses cannot all
// pass through the same open window; a success takes its source's count back.
import type { Database } from '@airline/database';

export interface LoginThrottleSettings {
  /** Failures one source may have at one account before it waits. */
  sourceFreeFailures: number;
  /** Failures at one account, from all sources together, before every source that failed there waits. */
  accountFreeFailures: number;
  /** Sources failing at one account beyond which new sources wait too (a spread-out attack). */
  maxSources: number;
  /** The first wait; each further failure doubles it, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A source's failures are forgotten this long after its last one. */
  forgetAfterMs: number;
}

export const defaultLoginThrottle: LoginThrottleSettings = {
  sourceFreeFailures: 5,
  accountFreeFailures: 10,
  maxSources: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

/** One source's recent failures at one account. */
export interface AttemptRecord {
  source: string;
  failures: number;
  lastAtMs: number;
}

export type Verdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/** The wait after the `n`th failure past the free ones (n ≥ 1). */
const backoff = (n: number, s: LoginThrottleSettings) => Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** Math.min(n - 1, 30));

/** May `source` try a password at the account whose recent failures are `records`, at `nowMs`? Pure. */
export function loginVerdict(records: AttemptRecord[], source: string, nowMs: number, s: LoginThrottleSettings): Verdict {
  const recent = records.filter((r) => nowMs - r.lastAtMs < s.forgetAfterMs);
  const own = recent.find((r) => r.source === source);
  let until = 0;
  if (own && own.failures >= s.sourceFreeFailures) until = own.lastAtMs + backoff(own.failures - s.sourceFreeFailures + 1, s);
  const accountFailures = recent.reduce((sum, r) => sum + r.failures, 0);
  if (accountFailures >= s.accountFreeFailures && (own || recent.length >= s.maxSources)) {
    const last = Math.max(...recent.map((r) => r.lastAtMs));
    until = Math.max(until, last + backoff(accountFailures - s.accountFreeFailures + 1, s));
  }
  return until > nowMs ? { allowed: false, retryAfterMs: until - nowMs } : { allowed: true };
}

/** Who is trying: an IPv4 address, or the /64 of an IPv6 one (one host can have a whole /64). */
export function loginSource(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export interface LoginThrottle {
  /** Counts an attempt by `source` at `username` if it may be made now (as a failure, until it succeeds). */
  attempt(username: string, source: string): Promise<Verdict>;
  /** The attempt succeeded: the source's failures at the account are forgotten. */
  succeeded(username: string, source: string): Promise<void>;
}

export function loginThrottle(db: Database, s: LoginThrottleSettings, now: () => number = Date.now): LoginThrottle {
  return {
    attempt: (username, source) =>
      db.transaction(async (tx) => {
        // one account's attempts one at a time (replicas too): a burst cannot pass an open window together
        await tx.query('SELECT pg_advisory_xact_lock(815004, hashtext($1))', [username]);
        const nowMs = now();
        const rows = await tx.query<{ source: string; failures: number; last_at_ms: string }>(
          'SELECT source, failures, last_at_ms FROM login_attempts WHERE username = $1 AND last_at_ms > $2',
          [username, nowMs - s.forgetAfterMs],
        );
        const verdict = loginVerdict(
          rows.rows.map((r) => ({ source: r.source, failures: r.failures, lastAtMs: Number(r.last_at_ms) })),
          source,
          nowMs,
          s,
        );
        if (!verdict.allowed) return verdict;
        tx.enqueue(
          `INSERT INTO login_attempts (username, source, failures, last_at_ms) VALUES ($1, $2, 1, $3)
           ON CONFLICT (username, source) DO UPDATE
             SET failures = CASE WHEN login_attempts.last_at_ms > $4 THEN login_attempts.failures + 1 ELSE 1 END, last_at_ms = $3`,
          [username, source, nowMs, nowMs - s.forgetAfterMs],
        );
        tx.enqueue('DELETE FROM login_attempts WHERE last_at_ms <= $1', [nowMs - s.forgetAfterMs]);
        return verdict;
      }),
    async succeeded(username, source) {
      await db.query('DELETE FROM login_attempts WHERE username = $1 AND source = $2', [username, source]);
    },
  };
}
