import { eventSchemas } from './events.js';

/** Where each event comes from and who reacts to it: the one table the AsyncAPI document is built from. */
export const eventRoutes: Record<(typeof eventSchemas)[number]['properties']['type']['const'], { producer: string; consumers: string[] }> =
  {
    FlightRegistered: { producer: 'flight', consumers: ['reservation', 'dashboard', 'notification'] },
    FlightCancelled: { producer: 'flight', consumers: ['reservation', 'dashboard', 'notification'] },
    ReservationPlaced: { producer: 'reservation', consumers: ['flight', 'dashboard', 'notification'] },
    SeatsReserved: { producer: 'flight', consumers: ['payment', 'dashboard'] },
    SeatsSoldOut: { producer: 'flight', consumers: ['reservation', 'dashboard'] },
    PaymentApproved: { producer: 'payment', consumers: ['reservation', 'dashboard'] },
    PaymentDeclined: { producer: 'payment', consumers: ['reservation', 'dashboard'] },
    ReservationConfirmed: { producer: 'reservation', consumers: ['flight', 'mileage', 'dashboard', 'notification'] },
    ReservationCancelled: { producer: 'reservation', consumers: ['flight', 'payment', 'mileage', 'dashboard', 'notification'] },
    SeatsReleased: { producer: 'flight', consumers: ['dashboard'] },
    PaymentRefunded: { producer: 'payment', consumers: ['dashboard'] },
    PassengersNamed: { producer: 'reservation', consumers: ['dashboard'] },
  };

/** Root of the events' subjects; a deployment (or a test run) may choose another to keep its streams apart. */
export const EVENTS_ROOT = 'airline';

/** Subject (NATS) / channel name of an event type. */
export const channelOf = (type: string, root = EVENTS_ROOT) => `${root}.events.${type}`;

/**
 * Subject of one event: its channel, then its correlation id, so a saga's events can be selected with
 * a subject filter (`airline.events.*.<reservationId>`). Characters a subject token cannot hold are
 * %-escaped (UTF-8 bytes), so every correlation id maps to exactly one token.
 */
export const subjectOf = (event: { type: string; correlationId: string }, root = EVENTS_ROOT) =>
  `${channelOf(event.type, root)}.${subjectToken(event.correlationId)}`;

export function subjectToken(value: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(value)) return value;
  let out = '';
  for (const ch of value) {
    if (/^[A-Za-z0-9_-]$/.test(ch)) out += ch;
    else for (const b of new TextEncoder().encode(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The AsyncAPI 3 document of every integration event, generated from the same schemas as the validators. */
export function buildAsyncApiDocument() {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const schema of eventSchemas) {
    const type = schema.properties.type.const;
    const route = eventRoutes[type];
    schemas[type] = JSON.parse(JSON.stringify(schema));
    messages[type] = {
      name: type,
      title: type,
      summary: schema.description,
      contentType: 'application/json',
      correlationId: { location: '$message.payload#/correlationId' },
      payload: { $ref: `#/components/schemas/${type}` },
    };
    channels[type] = {
      address: `${channelOf(type)}.{correlationId}`,
      parameters: {
        correlationId: {
          description:
            'the correlationId of the envelope (the reservation id for the booking saga), characters outside [A-Za-z0-9_-] %-escaped',
          location: '$message.payload#/correlationId',
        },
      },
      messages: { [type]: { $ref: `#/components/messages/${type}` } },
    };
    operations[`${route.producer}.send.${type}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${type}` },
      summary: `${route.producer} publishes ${type}; consumed by ${route.consumers.join(', ')}`,
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Airline reservations — integration events',
      version: '1.0.0',
      description:
        'Events of the booking saga. Each is a JSON envelope {eventId, type, version, occurredAt, correlationId, causationId, data}.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages, schemas },
  };
}
