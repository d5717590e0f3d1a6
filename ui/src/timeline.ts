// A reservation's saga as the timeline API gives it, read tolerantly, with the time between steps.
export type TimelineEntry = { type?: string; eventType?: string; occurredAt?: string; at?: string; service?: string; source?: string; producer?: string; eventId?: string; data?: unknown; [key: string]: unknown };
export type TimelineAnswer = TimelineEntry[] | { events?: TimelineEntry[]; steps?: TimelineEntry[]; timeline?: TimelineEntry[] };

export interface TimelineStep {
  key: string;
  type: string;
  at: string | undefined;
  service: string | undefined;
  /** ms since the first step */
  sinceStart: number | null;
  /** ms since the step before */
  sincePrevious: number | null;
}

export function timelineSteps(answer: TimelineAnswer): TimelineStep[] {
  const entries = Array.isArray(answer) ? answer : (answer.events ?? answer.steps ?? answer.timeline ?? []);
  const times = entries.map((e) => Date.parse(e.occurredAt ?? e.at ?? ''));
  const first = times.find((t) => !Number.isNaN(t));
  return entries.map((e, i) => {
    const t = times[i]!;
    const prev = i > 0 ? times[i - 1]! : NaN;
    return {
      key: e.eventId ?? `${i}`,
      type: e.type ?? e.eventType ?? 'event',
      at: e.occurredAt ?? e.at,
      service: e.service ?? e.source ?? e.producer,
      sinceStart: first === undefined || Number.isNaN(t) ? null : t - first,
      sincePrevious: Number.isNaN(t) || Number.isNaN(prev) ? null : t - prev,
    };
  });
}
