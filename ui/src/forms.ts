// Forms check in the browser and say every problem at once, in plain words; the API's problem+json
// (which names one field) is put in the same words. Pure functions: ui/test/forms.unit.spec.ts.
import { ApiError } from './api';

export type Problems = Record<string, string>;

/** Luhn check of a card number's digits. */
function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

export interface BookingDraft {
  seatQty: string;
  card: string;
  passengers: Array<{ givenName: string; familyName: string }>;
}

/** Every problem of a booking form, by field; empty when it can be sent. */
export function bookingProblems(draft: BookingDraft, seatsLeft: number, maxSeatsPerBooking = 9): Problems {
  const problems: Problems = {};
  const cap = Math.min(seatsLeft, maxSeatsPerBooking);
  const qty = Number(draft.seatQty);
  if (draft.seatQty.trim() === '' || !Number.isInteger(qty) || qty < 1)
    problems.seatQty = 'Choose how many seats: a whole number, at least 1.';
  else if (seatsLeft < 1) problems.seatQty = 'This flight has no seats left.';
  else if (qty > cap)
    problems.seatQty =
      qty > seatsLeft
        ? `Only ${seatsLeft} ${seatsLeft === 1 ? 'seat is' : 'seats are'} left: choose ${cap} or fewer.`
        : `One booking takes at most ${maxSeatsPerBooking} seats.`;
  const digits = draft.card.replace(/[\s-]/g, '');
  if (digits === '') problems.card = 'Enter the card number.';
  else if (!/^\d+$/.test(digits)) problems.card = 'A card number has digits only.';
  else if (digits.length < 12 || digits.length > 19) problems.card = 'A card number has 12 to 19 digits.';
  else if (!luhn(digits)) problems.card = 'This card number is not valid: check the digits.';
  draft.passengers.forEach((p, i) => {
    const given = p.givenName.trim();
    const family = p.familyName.trim();
    if (given === '' && family === '') return; // to be named later
    if (given === '')
      problems[`passengers.${i}.givenName`] = `Passenger ${i + 1}: enter the given name too, or leave both names empty to name them later.`;
    if (family === '')
      problems[`passengers.${i}.familyName`] =
        `Passenger ${i + 1}: enter the family name too, or leave both names empty to name them later.`;
    if (given.length > 64) problems[`passengers.${i}.givenName`] = `Passenger ${i + 1}: a name has at most 64 characters.`;
    if (family.length > 64) problems[`passengers.${i}.familyName`] = `Passenger ${i + 1}: a name has at most 64 characters.`;
  });
  return problems;
}

/** What the API said about a field, in the same plain words as the browser's checks. */
export function apiProblems(error: unknown): Problems {
  if (!(error instanceof ApiError) || !error.field) return {};
  const field = error.field;
  const code = (error.problem as { code?: string }).code;
  const words: Record<string, string> = {
    seatQty:
      code === 'CUSTOMER_SEAT_LIMIT'
        ? 'You already hold the most seats one customer may have on this flight.'
        : 'Choose fewer seats: this many cannot be booked.',
    card: 'This card number is not valid: check the digits.',
    flightId:
      code === 'BOOKING_CLOSED'
        ? 'Booking for this flight has closed.'
        : code === 'FLIGHT_CANCELLED'
          ? 'This flight is cancelled.'
          : 'This flight cannot be booked.',
    passengers: 'Name at most one passenger per seat.',
  };
  const message =
    words[field] ??
    (/^passengers\.\d+\./.test(field)
      ? 'Check this name: letters, no space at either end, at most 64 characters.'
      : (error.problem.detail ?? error.problem.title));
  return { [field]: message };
}

/** The problems left once a field was edited: its own goes away until the form is checked again. */
export const withoutField = (problems: Problems, field: string): Problems =>
  Object.fromEntries(Object.entries(problems).filter(([f]) => f !== field));
