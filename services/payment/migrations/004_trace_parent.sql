-- The trace a payment's processor calls belong to (W3C traceparent of the span that opened the payment
-- or asked for its refund); null while tracing is off.
ALTER TABLE payments ADD COLUMN trace_parent text;
