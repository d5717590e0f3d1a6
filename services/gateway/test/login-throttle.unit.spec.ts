// The login throttle's decision, as a function of the account's recent failures and the clock.
import { describe, expect, it } from 'vitest';
import { defaultLoginThrottle, loginSource, loginVerdict, type AttemptRecord } from '../src/auth/login-throttle.js';

const s = {
  ...defaultLoginThrottle,
  sourceFreeFailures: 3,
  accountFreeFailures: 6,
  maxSources: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 8_000,
  forgetAfterMs: 60_000,
};
const T = 1_000_000;
const rec = (source: string, failures: number, lastAtMs = T): AttemptRecord => ({ source, failures, lastAtMs });

describe('login throttle: one source at one account', () => {
  it('has a few free failures, then waits, twice as long after each further failure, up to the maximum', () => {
    expect(loginVerdict([rec('a', 2)], 'a', T, s)).toEqual({ allowed: true });
    expect(loginVerdict([rec('a', 3)], 'a', T, s)).toEqual({ allowed: false, retryAfterMs: 1_000 });
    expect(loginVerdict([rec('a', 4)], 'a', T, s)).toEqual({ allowed: false, retryAfterMs: 2_000 });
    expect(loginVerdict([rec('a', 5)], 'a', T, s)).toEqual({ allowed: false, retryAfterMs: 4_000 });
    expect(loginVerdict([rec('a', 50)], 'a', T, s)).toEqual({ allowed: false, retryAfterMs: 8_000 });
  });

  it('may try again once the wait is over', () => {
    expect(loginVerdict([rec('a', 4)], 'a', T + 1_999, s)).toEqual({ allowed: false, retryAfterMs: 1 });
    expect(loginVerdict([rec('a', 4)], 'a', T + 2_000, s)).toEqual({ allowed: true });
  });

  it('failures older than forgetAfterMs no longer count', () => {
    expect(loginVerdict([rec('a', 50, T - 60_000)], 'a', T, s)).toEqual({ allowed: true });
  });
});

describe('login throttle: guesses spread over sources', () => {
  const spread = [rec('a', 2, T - 10), rec('b', 2, T - 5), rec('c', 2, T)]; // 6 failures, none over its own budget

  it('every source that has failed waits once the account has had its free failures, as long as the account says', () => {
    for (const source of ['a', 'b', 'c']) expect(loginVerdict(spread, source, T, s)).toEqual({ allowed: false, retryAfterMs: 1_000 });
    expect(loginVerdict([...spread, rec('d', 1, T)], 'a', T, s)).toEqual({ allowed: false, retryAfterMs: 2_000 });
  });

  it('a source that has not failed there (the owner, elsewhere) is let through', () => {
    expect(loginVerdict(spread, 'owner', T, s)).toEqual({ allowed: true });
  });

  it('unless the failures come from so many sources that the account is under a spread-out attack: then everybody waits', () => {
    const wide = [...spread, rec('d', 1, T)];
    expect(wide).toHaveLength(s.maxSources);
    expect(loginVerdict(wide, 'owner', T, s)).toEqual({ allowed: false, retryAfterMs: 2_000 });
  });

  it('below the account budget, sources do not hold each other up', () => {
    expect(loginVerdict([rec('a', 2), rec('b', 2)], 'a', T, s)).toEqual({ allowed: true });
  });
});

describe('login throttle: the source of an attempt', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('%s → %s (a host has a whole IPv6 /64 to pick addresses from)', (ip, source) => {
    expect(loginSource(ip)).toBe(source);
  });
});
