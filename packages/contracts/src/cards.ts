// The one card rule, shared by booking (POST /reservations) and the processor sandbox, and the
// payment-method tokens that travel instead of card numbers. A full card number is seen by the
// processor sandbox (which keeps it in its vault) and the request that hands it over, nowhere else:
// events, tables, logs and answers carry a token (`pm_…`), the last four digits and the brand.
import { Type, type Static } from '@sinclair/typebox';
import creditCardType from 'credit-card-type';
import luhn from 'luhn';

/** Digits only, 12 to 19 of them (ISO/IEC 7812); the Luhn check comes on top (cardProblem). */
export const CARD_NUMBER_PATTERN = '^[0-9]{12,19}$';
const cardDigits = new RegExp(CARD_NUMBER_PATTERN);

export const CardNumber = Type.String({
  pattern: CARD_NUMBER_PATTERN,
  description: 'card number: 12–19 digits, no spaces, passing the Luhn check',
});

/** A payment-method token of the processor: `pm_` then letters, digits and underscores. */
export const PAYMENT_METHOD_PATTERN = '^pm_[A-Za-z0-9_]{1,64}$';
export const PaymentMethodId = Type.String({
  pattern: PAYMENT_METHOD_PATTERN,
  description: 'payment-method token issued by the processor (never a card number)',
});

/** What everything outside the processor knows of a card. */
export const PaymentMethodFields = {
  paymentMethod: PaymentMethodId,
  cardLast4: Type.String({ pattern: '^[0-9]{4}$', description: 'last four digits of the card, to show' }),
  cardBrand: Type.String({
    minLength: 1,
    maxLength: 40,
    description: "card network, e.g. visa, mastercard, american-express; 'unknown' when none matches",
  }),
};
export const PaymentMethodSummary = Type.Object(PaymentMethodFields);
export type PaymentMethodSummary = Static<typeof PaymentMethodSummary>;

/** Why a card number is refused, in words; undefined when it passes the rule. Never repeats the number. */
export function cardProblem(card: string): string | undefined {
  if (!cardDigits.test(card)) return 'card must be 12–19 digits, without spaces';
  if (!luhn.validate(card)) return 'card number fails the Luhn check (mistyped?)';
  return undefined;
}

/** The card network of a number by its prefix ('unknown' when none matches). */
export function cardBrand(card: string): string {
  return creditCardType(card)[0]?.type ?? 'unknown';
}

/**
 * The sandbox's test cards and the well-known tokens that stand for them (Stripe's names): a client
 * may send the token without tokenising, and booking without a card uses `pm_card_visa`, so the
 * seeds' demo needs no processor call at all.
 */
export const TEST_CARDS = [
  { card: '4242424242424242', paymentMethod: 'pm_card_visa', brand: 'visa', outcome: 'approved', description: 'Visa, always approves' },
  {
    card: '5555555555554444',
    paymentMethod: 'pm_card_mastercard',
    brand: 'mastercard',
    outcome: 'approved',
    description: 'Mastercard, always approves',
  },
  {
    card: '4000000000000002',
    paymentMethod: 'pm_card_chargeDeclined',
    brand: 'visa',
    outcome: 'card_declined',
    description: 'declined by the issuer',
  },
  {
    card: '4000000000009995',
    paymentMethod: 'pm_card_chargeDeclinedInsufficientFunds',
    brand: 'visa',
    outcome: 'insufficient_funds',
    description: 'declined: insufficient funds',
  },
  {
    card: '4000000000000069',
    paymentMethod: 'pm_card_chargeDeclinedExpiredCard',
    brand: 'visa',
    outcome: 'expired_card',
    description: 'declined: card expired',
  },
] as const;

/**
 * A card number stored before tokenisation that is not a test card (upcast events, migrated rows): the
 * sandbox approved every such number, and charges this token the same way.
 */
export const LEGACY_PAYMENT_METHOD = 'pm_card_legacy';

const summaryOf = (c: (typeof TEST_CARDS)[number]): PaymentMethodSummary => ({
  paymentMethod: c.paymentMethod,
  cardLast4: c.card.slice(-4),
  cardBrand: c.brand,
});

/** What booking charges when no card is sent (the seeds' clients send none). */
export const DEFAULT_PAYMENT_METHOD: PaymentMethodSummary = summaryOf(TEST_CARDS[0]);

/** The summary of a well-known test token; undefined for any other token. */
export function wellKnownPaymentMethod(paymentMethod: string): PaymentMethodSummary | undefined {
  const c = TEST_CARDS.find((t) => t.paymentMethod === paymentMethod);
  return c ? summaryOf(c) : undefined;
}

/** A card number from before tokenisation, as a token, last four and brand, without asking the processor. */
export function legacyPaymentMethod(card: string): PaymentMethodSummary {
  const test = TEST_CARDS.find((t) => t.card === card);
  return {
    paymentMethod: test?.paymentMethod ?? LEGACY_PAYMENT_METHOD,
    cardLast4: card.slice(-4),
    cardBrand: test?.brand ?? cardBrand(card),
  };
}
