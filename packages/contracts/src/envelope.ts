import { Type, type TObject, type TLiteral, type Static } from '@sinclair/typebox';

export const CONTRACT_VERSION = 1;

/**
 * Every integration event travels in this envelope. `correlationId` is the reservation id for the
 * booking saga (the flight id for flight-level events); `causationId` is the eventId of the event or
 * the request id that caused it.
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
  data: D;
};

export type EnvelopeOf<S extends TObject> = Static<S>;
