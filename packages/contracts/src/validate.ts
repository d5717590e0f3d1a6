import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { FormatRegistry } from '@sinclair/typebox';
import { eventSchemas, type IntegrationEvent, type EventType } from './events.js';
import { upcastEvent } from './upcast.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (v) => UUID.test(v));
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => !Number.isNaN(Date.parse(v)) && v.includes('T'));

const checks = new Map<string, TypeCheck<(typeof eventSchemas)[number]>>(
  eventSchemas.map((s) => [s.properties.type.const, TypeCompiler.Compile(s)]),
);

export class InvalidEventError extends Error {
  constructor(
    readonly eventType: string,
    readonly problems: string[],
  ) {
    super(`invalid ${eventType} event: ${problems.join('; ')}`);
    this.name = 'InvalidEventError';
  }
}

export function isEventType(type: unknown): type is EventType {
  return typeof type === 'string' && checks.has(type);
}

/**
 * Runtime check of an incoming event against its contract; throws InvalidEventError naming each bad
 * field. An event of an older shape is upcast first (upcast.ts: `card` becomes its payment method).
 */
export function parseEvent(raw: unknown): IntegrationEvent {
  const value = upcastEvent(raw);
  const type = (value as { type?: unknown } | null)?.type;
  const check = typeof type === 'string' ? checks.get(type) : undefined;
  if (!check) throw new InvalidEventError(String(type), [`unknown event type ${JSON.stringify(type)}`]);
  if (check.Check(value)) return value as IntegrationEvent;
  const problems = [...check.Errors(value)].slice(0, 5).map((e) => `${e.path || '/'}: ${e.message}`);
  throw new InvalidEventError(type as string, problems);
}
