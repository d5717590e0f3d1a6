import { describe, expect, it } from 'vitest';
import { activityText, customerLabel } from '../src/staff';

const users = [
  { username: 'minji', role: 'customer' as const, customerId: 2 },
  { username: 'admin', role: 'admin' as const, customerId: null },
  { username: 'minji.work', role: 'customer' as const, customerId: 2 },
  { username: 'alex', role: 'customer' as const, customerId: 1 },
];

describe('customerLabel', () => {
  it('names a customer by the username acting as them', () => expect(customerLabel(users, 1)).toBe('alex'));
  it('names every username when several act as one customer', () => expect(customerLabel(users, 2)).toBe('minji, minji.work'));
  it('says "customer N" when no user acts as them, or the users are not known', () => {
    expect(customerLabel(users, 9)).toBe('customer 9');
    expect(customerLabel(undefined, 1)).toBe('customer 1');
  });
});

describe('activityText', () => {
  const at = '2026-01-01T00:00:00Z';
  it('says what happened in words and names the booking by its reference', () =>
    expect(
      activityText({ type: 'SeatsReserved', at, reservationId: 3, summary: '2 seats held for reservation 3 (1 left)' }, (id) =>
        id === 3 ? 'K7QX2M' : undefined,
      ),
    ).toBe('Seats held · booking K7QX2M'));
  it('leaves the booking out while its reference is not known, never showing its number', () =>
    expect(
      activityText({ type: 'SeatsReserved', at, reservationId: 3, summary: '2 seats held for reservation 3 (1 left)' }, () => undefined),
    ).toBe('Seats held'));
  it('keeps the summary of an event it has no words for', () =>
    expect(activityText({ type: 'SomethingNew', at, reservationId: null, summary: 'something new' }, () => undefined)).toBe(
      'something new',
    ));
});
