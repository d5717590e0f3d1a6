import { Type, type TObject, type TLiteral, type Static } from '@sinclair/typebox';

export const CONTRACT_VERSION = 1;

/** W3C Trace Context `traceparent`: version, trace id, parent span id, flags (lower-case hex). */
export const TRACEPARENT_PATTERN = '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$';

/**
 * Every integration event travels in this envelope. `correlationId` is the reservation id for the
 * booking saga (the flight id for flight-level events); `causationId` is the eventId of the event or
 * the request id that caused it. `traceparent` (optional, W3C Trace Context) is the span the event was
 * written in, when the producer traces: the consumer's span that handles it is its child, so one trace
 * follows a booking across services and both buses.
 */
export function eventSchema<T extends string, D extends TObject>(type: T, data: D, description: string) {
  return Type.Object(
    {
      eventId: Type.String({ format: 'uuid' }),
      type: Type.Literal(type) as TLiteral<T>,
      version: Type.Literal(CONTRACT_VERSION),
      occurredAt: Type.String({ format: 'date-time' }),
      correlationId: Type.String({ minLength: 1 }),
      causationId: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
      traceparent: Type.Optional(
        Type.String({
          pattern: TRACEPARENT_PATTERN,
          description: 'W3C Trace Context traceparent of the span that wrote the event (absent when its producer does not trace)',
        }),
      ),
      data,
    },
    { $id: type, title: type, description, additionalProperties: false },
  );
}

export type Envelope<T extends string = string, D = unknown> = {
  eventId: string;
  type: T;
  version: typeof CONTRACT_VERSION;
  occurredAt: string;
  correlationId: string;
  causationId: string | null;
  traceparent?: string;
  data: D;
};

export type EnvelopeOf<S extends TObject> = Static<S>;
