// Dead letters as the gateway shows them to staff: every service's in one list (GET /dead-letters),
// redriven per service (POST /dead-letters/:service/redrive).
import type { Static } from '@sinclair/typebox';
import type { DeadLetter as ParkedEvent, RedriveOutcome as RedriveOutcomeSchema } from '../../packages/service/src/dead-letter-routes.ts';

/** A parked event, and the service it is parked in (the gateway adds `service`). */
export type DeadLetter = Static<typeof ParkedEvent> & { service: string };
export type RedriveOutcome = Static<typeof RedriveOutcomeSchema>;

export const redrivePath = (service: string) => `/dead-letters/${encodeURIComponent(service)}/redrive`;

/** Grouped by service, services in name order, oldest parked first within each. */
export function byService(letters: DeadLetter[]): Array<[string, DeadLetter[]]> {
  const groups = new Map<string, DeadLetter[]>();
  for (const d of letters) groups.set(d.service, [...(groups.get(d.service) ?? []), d]);
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, list]) => [s, list.sort((x, y) => Date.parse(x.parkedAt) - Date.parse(y.parkedAt) || x.id - y.id)]);
}
