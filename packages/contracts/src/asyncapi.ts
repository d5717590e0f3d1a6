import { eventSchemas } from './events.js';

/** Where each event comes from and who reacts to it: the one table the AsyncAPI document is built from. */
export const eventRoutes: Record<(typeof eventSchemas)[number]['properties']['type']['const'], { producer: string; consumers: string[] }> = {
  FlightRegistered: { producer: 'flight', consumers: ['reservation', 'dashboard'] },
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
};

/** Subject (NATS) / channel name of an event type. */
export const channelOf = (type: string) => `airline.events.${type}`;

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
      address: channelOf(type),
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
      description: 'Events of the booking saga. Each is a JSON envelope {eventId, type, version, occurredAt, correlationId, causationId, data}.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages, schemas },
  };
}
