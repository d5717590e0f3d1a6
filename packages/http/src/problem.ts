/** An error that becomes an RFC 9457 problem+json response. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly field?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = 'HttpProblem';
  }
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/(^-|-$)/g, '');

export function problemBody(p: {
  status: number;
  title: string;
  detail?: string;
  field?: string;
  instance?: string;
  extra?: Record<string, unknown>;
}) {
  return {
    type: `/problems/${slug(p.title)}`,
    title: p.title,
    status: p.status,
    ...(p.detail ? { detail: p.detail } : {}),
    ...(p.field ? { field: p.field } : {}),
    ...(p.instance ? { instance: p.instance } : {}),
    ...(p.extra ?? {}),
  };
}

export const badRequest = (detail: string, field?: string) => new HttpProblem(400, 'Invalid request', detail, field);
export const notFound = (what: string) => new HttpProblem(404, 'Not found', `${what} does not exist`);
export const conflict = (detail: string, extra?: Record<string, unknown>) => new HttpProblem(409, 'Conflict', detail, undefined, extra);
export const unprocessable = (detail: string, field?: string) => new HttpProblem(422, 'Unprocessable request', detail, field);
