import { describe, expect, it } from 'vitest';
import { backoffMs } from '../src/port.js';

describe('retry backoff', () => {
  it('doubles per attempt between half and all of the ceiling', () => {
    expect(backoffMs(1, 100, 30_000, () => 0)).toBe(50);
    expect(backoffMs(1, 100, 30_000, () => 1)).toBe(100);
    expect(backoffMs(4, 100, 30_000, () => 1)).toBe(800);
  });
  it('is capped', () => expect(backoffMs(30, 100, 30_000, () => 1)).toBe(30_000));
});
