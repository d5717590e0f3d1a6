-- The latest activity's place among its flight's events (the event's flightSeq; null for events from
-- before flightSeq existed, which come first): the board keeps the activity with the greatest
-- (seq, time, event id), so two events of one millisecond are told apart by the flight's own order.
ALTER TABLE flight_board ADD COLUMN last_activity_seq integer;
