// HAL (application/hal+json) for clients written against Spring Data REST: a list comes back as
// `_embedded.<collection>` with `_links.self` on the list and on each item, and `page {size,
// totalElements, totalPages, number}`, honouring `?page=` (from 0), `size=` and `sort=field,asc|desc`.
// Plain JSON stays the default: HAL only when the Accept header asks for it.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HttpProblem } from './problem.js';

export const HAL_JSON = 'application/hal+json';

/** Whether an Accept header asks for HAL (and does not refuse it with q=0). */
export function wantsHal(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const [type, ...params] = part
      .trim()
      .split(';')
      .map((s) => s.trim().toLowerCase());
    return type === HAL_JSON && !params.some((p) => /^q=0(\.0*)?$/.test(p));
  });
}

/** Spring Data REST's paging parameters (used when HAL is asked for). */
export const PagingQuery = {
  page: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'HAL: page number, from 0 (Spring Data REST)' })),
  size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'HAL: items per page (default 20)' })),
  sort: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z]+(,(asc|desc|ASC|DESC))?$',
      maxLength: 64,
      description: 'HAL: `field` or `field,asc|desc`',
      examples: ['id,desc'],
    }),
  ),
};
export const DEFAULT_PAGE_SIZE = 20;

export interface Paging {
  page?: number;
  size?: number;
  sort?: string;
}

export interface Sorting<K extends string> {
  field: K;
  descending: boolean;
}

/** The sort a request asks for, among the fields that may be sorted by; 400 naming `sort` otherwise. */
export function sortingOf<K extends string>(sort: string | undefined, sortable: readonly K[], fallback: K): Sorting<K> {
  if (sort === undefined) return { field: fallback, descending: false };
  const [field, direction] = sort.split(',');
  if (!sortable.includes(field as K))
    throw new HttpProblem(400, 'Invalid request', `sort by one of ${sortable.join(', ')}, not ${field}`, 'sort');
  return { field: field as K, descending: direction?.toLowerCase() === 'desc' };
}

/** Sorts items in memory by a field (then by id when they carry one), for lists kept in memory. */
export function sortItems<T extends Record<string, unknown>>(items: T[], sorting: Sorting<string>): T[] {
  const value = (t: T) => t[sorting.field] as string | number | undefined;
  const sign = sorting.descending ? -1 : 1;
  return [...items].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    const c = x === y ? 0 : x === undefined ? 1 : y === undefined ? -1 : x < y ? -1 : 1;
    return c !== 0 ? c * sign : Number(a.id ?? 0) - Number(b.id ?? 0);
  });
}

export interface HalPageInput<T> {
  /** The collection's rel and `_embedded` key: `flights`. */
  collection: string;
  /** This page's items. */
  items: T[];
  totalElements: number;
  /** The list's path and the query it was asked with (paging parameters are set per link). */
  path: string;
  query: Record<string, string | number | undefined>;
  page: number;
  size: number;
  itemHref: (item: T) => string;
  /** Links of an item besides self (its own sub-collections), as its own resource gives them. */
  itemLinks?: (item: T) => Record<string, { href: string; templated?: boolean }>;
}

const href = (path: string, query: Record<string, string | number | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return { href: s ? `${path}?${s}` : path };
};

/** A page of a collection as Spring Data REST writes it. */
export function halPage<T extends object>(p: HalPageInput<T>) {
  const totalPages = Math.ceil(p.totalElements / p.size);
  const at = (page: number) => href(p.path, { ...p.query, page, size: p.size });
  const links: Record<string, { href: string }> = { self: at(p.page), first: at(0) };
  if (p.page > 0) links.prev = at(Math.min(p.page - 1, Math.max(totalPages - 1, 0)));
  if (p.page + 1 < totalPages) links.next = at(p.page + 1);
  links.last = at(Math.max(totalPages - 1, 0));
  links.profile = { href: `/profile/${p.collection}` };
  return {
    _embedded: {
      [p.collection]: p.items.map((item) => ({ ...item, _links: { self: { href: p.itemHref(item) }, ...p.itemLinks?.(item) } })),
    },
    _links: links,
    page: { size: p.size, totalElements: p.totalElements, totalPages, number: p.page },
  };
}

/** One resource with its self link. */
export const halItem = <T extends object>(item: T, self: string) => ({ ...item, _links: { self: { href: self } } });

/** A service's root resource: a link per collection it holds (`{?page,size,sort}` templated). */
export function halRoot(collections: Record<string, string>) {
  const links: Record<string, { href: string; templated?: boolean }> = { self: { href: '/' } };
  for (const [rel, path] of Object.entries(collections)) links[rel] = { href: `${path}{?page,size,sort}`, templated: true };
  links.profile = { href: '/profile' };
  return { _links: links };
}

/** ALPS-less profile: the collections a service holds (Spring Data REST's `/profile` lists them). */
export function halProfile(collections: Record<string, string>) {
  const links: Record<string, { href: string }> = { self: { href: '/profile' } };
  for (const rel of Object.keys(collections)) links[rel] = { href: `/profile/${rel}` };
  return { _links: links };
}

/** The HAL document schema for OpenAPI (a page of `itemSchemaName` items). */
export const HalPageSchema = (collection: string, item: ReturnType<typeof Type.Object>) =>
  Type.Object(
    {
      _embedded: Type.Object({ [collection]: Type.Array(item) }),
      _links: Type.Record(Type.String(), Type.Object({ href: Type.String(), templated: Type.Optional(Type.Boolean()) })),
      page: Type.Object({ size: Type.Integer(), totalElements: Type.Integer(), totalPages: Type.Integer(), number: Type.Integer() }),
    },
    { description: `a page of ${collection} (Accept: application/hal+json), as Spring Data REST writes it` },
  );

/** The 200 of a list route: the items as plain JSON, or a page of them for HAL clients. */
export const listOrHalPage = (description: string, collection: string, item: ReturnType<typeof Type.Object>) => ({
  description,
  content: {
    'application/json': { schema: Type.Array(item) },
    [HAL_JSON]: { schema: HalPageSchema(collection, item) },
  },
});

/** Sends a HAL document (a page, an item) as `application/hal+json`. */
export const sendHal = (reply: FastifyReply, body: unknown) => reply.type(`${HAL_JSON}; charset=utf-8`).send(JSON.stringify(body));

/**
 * A service's root resource and profile, at `/` and `/profile`: what a HAL client starts from
 * (`client.go('/').follow('flights')`). Plain JSON clients get the same links.
 */
export function halRootRoutes(app: FastifyInstance, collections: Record<string, string>) {
  const root = JSON.stringify(halRoot(collections));
  const profile = JSON.stringify(halProfile(collections));
  const Links = Type.Object({
    _links: Type.Record(Type.String(), Type.Object({ href: Type.String(), templated: Type.Optional(Type.Boolean()) })),
  });
  app.get(
    '/',
    { schema: { tags: ['hal'], summary: 'The root resource: a link to each collection of this service (HAL)', response: { 200: Links } } },
    async (_req, reply) => reply.type(`${HAL_JSON}; charset=utf-8`).send(root),
  );
  app.get(
    '/profile',
    { schema: { tags: ['hal'], summary: "The collections' profiles (Spring Data REST's /profile)", response: { 200: Links } } },
    async (_req, reply) => reply.type(`${HAL_JSON}; charset=utf-8`).send(profile),
  );
}
