-- Card numbers leave the payment service: a payment keeps the processor's token, the last four digits
-- and the brand (the processor sandbox's vault alone keeps numbers). Rows from before are rewritten as
-- upcastEvent reads old events: a test card becomes its well-known token, any other number
-- pm_card_legacy (charged as the sandbox charged every unlisted number: approved).
ALTER TABLE payments ADD COLUMN payment_method text, ADD COLUMN card_last4 text NOT NULL DEFAULT '', ADD COLUMN card_brand text NOT NULL DEFAULT '';
UPDATE payments SET
  payment_method = CASE card
    WHEN '4242424242424242' THEN 'pm_card_visa'
    WHEN '5555555555554444' THEN 'pm_card_mastercard'
    WHEN '4000000000000002' THEN 'pm_card_chargeDeclined'
    WHEN '4000000000009995' THEN 'pm_card_chargeDeclinedInsufficientFunds'
    WHEN '4000000000000069' THEN 'pm_card_chargeDeclinedExpiredCard'
    ELSE 'pm_card_legacy' END,
  card_last4 = right(card, 4),
  card_brand = CASE
    WHEN card ~ '^4' THEN 'visa'
    WHEN card ~ '^(5[1-5]|222[1-9]|22[3-9]|2[3-6]|27[01]|2720)' THEN 'mastercard'
    WHEN card ~ '^3[47]' THEN 'american-express'
    WHEN card ~ '^(6011|64[4-9]|65)' THEN 'discover'
    WHEN card ~ '^35(2[89]|[3-8])' THEN 'jcb'
    ELSE 'unknown' END
WHERE card <> '';
ALTER TABLE payments DROP COLUMN card;

-- A refund the processor answers with something that contradicts this record (a void of a charge it
-- approved) is an error: retried, and after a few tries parked as REFUND_FAILED for a person to look
-- at (GET /payments?status=REFUND_FAILED, metric payments_refund_failed), never taken as success.
ALTER TABLE payments ADD COLUMN contradictions integer NOT NULL DEFAULT 0;
ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check
  CHECK (status IN ('PENDING', 'CHARGING', 'APPROVED', 'DECLINED', 'REFUND_PENDING', 'REFUNDING', 'REFUNDED', 'VOIDED', 'REFUND_FAILED'));
