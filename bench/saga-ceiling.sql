-- pgbench script: the SQL one confirmed booking costs the services, with nothing else around it (no
-- Node, no HTTP, no NATS). One pgbench transaction = one booking saga = the eleven transactions the
-- services commit for it, each as it runs when an event is handled alone (no batching). The tables are
-- the services' own (their migrations, in one database). bench/cluster.ts runs it with
--   pgbench -n -c <clients> -j 2 -T <s> -D flights=<n> -D hot=<0|1> -f bench/saga-ceiling.sql
\set fid random(1, :flights)
\set fid :hot * 1 + (1 - :hot) * :fid
\set cust random(1, 5000)

-- 1. reservation, POST /reservations: catalog check, new id, PENDING row, ReservationPlaced in the outbox
BEGIN;
SELECT flight_id, flight_code, takeoff_date, cost, status FROM flight_catalog WHERE flight_id = :fid;
SELECT nextval(pg_get_serial_sequence('reservations', 'id')) AS rid \gset
INSERT INTO reservations (id, booking_reference, customer_id, flight_id, seat_qty, amount, reserve_date, card_last4, status, cancel_reason, hold_expires_at)
  VALUES (:rid, upper(substr(md5(random()::text), 1, 6)), :cust, :fid, 1, 100, '2027-01-01', '4242', 'PENDING', NULL, now() + interval '15 minutes')
  ON CONFLICT (booking_reference) DO NOTHING;
INSERT INTO outbox (event_id, type, payload) VALUES (gen_random_uuid(), 'ReservationPlaced',
  jsonb_build_object('eventId', gen_random_uuid(), 'type', 'ReservationPlaced', 'version', 1, 'occurredAt', now(), 'correlationId', :rid::text, 'causationId', 'req-1',
    'data', jsonb_build_object('reservationId', :rid, 'bookingReference', 'ABCDEF', 'customerId', :cust, 'flightId', :fid, 'seatQty', 1, 'amount', 100,
      'reserveDate', '2027-01-01', 'card', '4242424242424242', 'holdExpiresAt', now() + interval '15 minutes')));
COMMIT;
-- 2. reservation's outbox relay
BEGIN;
DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, payload;
COMMIT;
-- 3. flight, on ReservationPlaced: inbox, hold, conditional decrement, SeatsReserved
BEGIN;
INSERT INTO inbox (consumer, event_id, event_type) VALUES ('flight', gen_random_uuid(), 'ReservationPlaced') ON CONFLICT DO NOTHING;
INSERT INTO seat_holds (reservation_id, flight_id, seat_qty, status) VALUES (:rid, :fid, 1, 'REJECTED') ON CONFLICT DO NOTHING;
UPDATE flights SET remaining_seats_count = remaining_seats_count - 1, updated_at = now()
  WHERE id = :fid AND status = 'SCHEDULED' AND remaining_seats_count >= 1 RETURNING remaining_seats_count;
UPDATE seat_holds SET status = 'HELD', updated_at = now() WHERE reservation_id = :rid;
INSERT INTO outbox (event_id, type, payload) VALUES (gen_random_uuid(), 'SeatsReserved',
  jsonb_build_object('eventId', gen_random_uuid(), 'type', 'SeatsReserved', 'version', 1, 'occurredAt', now(), 'correlationId', :rid::text, 'causationId', gen_random_uuid(),
    'data', jsonb_build_object('reservationId', :rid, 'customerId', :cust, 'flightId', :fid, 'seatQty', 1, 'amount', 100, 'card', '4242424242424242', 'remainingSeatsCount', 1)));
COMMIT;
-- 4. flight's outbox relay
BEGIN;
DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, payload;
COMMIT;
-- 5. payment, on SeatsReserved: inbox, a payment to make
BEGIN;
INSERT INTO inbox (consumer, event_id, event_type) VALUES ('payment', gen_random_uuid(), 'SeatsReserved') ON CONFLICT DO NOTHING;
INSERT INTO payments (reservation_id, customer_id, amount, card, status) VALUES (:rid, :cust, 100, '4242424242424242', 'PENDING') ON CONFLICT (reservation_id) DO NOTHING;
COMMIT;
-- 6. payment worker: claim the due payment (the processor call happens between 6 and 7)
BEGIN;
UPDATE payments SET status = 'CHARGING', lease_until = now() + interval '30 seconds', attempts = attempts + 1, updated_at = now()
  WHERE id IN (SELECT id FROM payments WHERE reservation_id = :rid AND status = 'PENDING' AND next_attempt_at <= now() FOR UPDATE SKIP LOCKED)
  RETURNING id;
COMMIT;
-- 7. payment worker: record the approval and PaymentApproved
BEGIN;
SELECT * FROM payments WHERE reservation_id = :rid FOR UPDATE;
UPDATE payments SET status = 'APPROVED', authorization_code = 'A1B2C3', last_error = NULL, lease_until = NULL, updated_at = now() WHERE reservation_id = :rid;
INSERT INTO outbox (event_id, type, payload) VALUES (gen_random_uuid(), 'PaymentApproved',
  jsonb_build_object('eventId', gen_random_uuid(), 'type', 'PaymentApproved', 'version', 1, 'occurredAt', now(), 'correlationId', :rid::text, 'causationId', 'payment-1',
    'data', jsonb_build_object('reservationId', :rid, 'paymentId', :rid, 'amount', 100, 'authorizationCode', 'A1B2C3')));
COMMIT;
-- 8. payment's outbox relay
BEGIN;
DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, payload;
COMMIT;
-- 9. reservation, on PaymentApproved: inbox, CONFIRMED, ReservationConfirmed
BEGIN;
INSERT INTO inbox (consumer, event_id, event_type) VALUES ('reservation', gen_random_uuid(), 'PaymentApproved') ON CONFLICT DO NOTHING;
SELECT * FROM reservations WHERE id = :rid FOR UPDATE;
UPDATE reservations SET status = 'CONFIRMED', cancel_reason = NULL, updated_at = now() WHERE id = :rid;
INSERT INTO outbox (event_id, type, payload) VALUES (gen_random_uuid(), 'ReservationConfirmed',
  jsonb_build_object('eventId', gen_random_uuid(), 'type', 'ReservationConfirmed', 'version', 1, 'occurredAt', now(), 'correlationId', :rid::text, 'causationId', gen_random_uuid(),
    'data', jsonb_build_object('reservationId', :rid, 'bookingReference', 'ABCDEF', 'customerId', :cust, 'flightId', :fid, 'seatQty', 1, 'amount', 100, 'reserveDate', '2027-01-01')));
COMMIT;
-- 10. reservation's outbox relay, and flight on ReservationConfirmed: the held seat is sold
BEGIN;
DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, payload;
COMMIT;
BEGIN;
INSERT INTO inbox (consumer, event_id, event_type) VALUES ('flight', gen_random_uuid(), 'ReservationConfirmed') ON CONFLICT DO NOTHING;
UPDATE seat_holds SET status = 'SOLD', updated_at = now() WHERE reservation_id = :rid AND status = ANY('{HELD}'::text[]);
COMMIT;
