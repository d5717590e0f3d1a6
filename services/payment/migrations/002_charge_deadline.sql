-- A payment is never charged after the seat hold it pays for has ended (the reservation is being
-- cancelled with PAYMENT_TIMEOUT; its ReservationCancelled voids the payment). NULL: no deadline.
ALTER TABLE payments ADD COLUMN charge_before timestamptz;
