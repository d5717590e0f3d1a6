-- How many events this flight has emitted (FlightRegistered is 1). Every statement that changes the
-- flight or answers for its seats takes the next number under the row's lock and puts it on its event
-- as flightSeq, so readers order a flight's events without trusting clocks.
ALTER TABLE flights ADD COLUMN event_seq integer NOT NULL DEFAULT 1 CHECK (event_seq >= 1);
