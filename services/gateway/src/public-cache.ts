// The gateway's micro-cache of anonymous public reads (flight searches, a hundred or more per booking):
// the same answer is given to every anonymous reader for `ttlMs` (well inside the 1 s bound on how old
// seats left may be), and the readers that ask while it is being fetched share that one call. A reader
// with a token is never answered from it, so a signed-in customer's read after their own booking goes
// to the service's availability view, which has it. Answers marked private or no-store, and anything
// but a 200, are not kept (the readers that waited for such a call still share its answer).

export interface CachedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Headers of an upstream answer worth keeping with it (the rest are per connection or per request). */
const KEPT = ['content-type', 'etag', 'cache-control', 'vary', 'last-modified'];

/** An upstream answer as the cache holds it, and whether it may be kept for the next readers. */
export function answerOf(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: string,
): { answer: CachedAnswer; keep: boolean } {
  const kept: Record<string, string> = {};
  for (const name of KEPT) {
    const v = headers[name];
    if (typeof v === 'string') kept[name] = v;
  }
  return { answer: { status, headers: kept, body }, keep: status === 200 && !/\b(no-store|private)\b/i.test(kept['cache-control'] ?? '') };
}

export class PublicCache {
  private readonly answers = new Map<string, { at: number; answer: CachedAnswer }>();
  private readonly loading = new Map<string, Promise<CachedAnswer>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The answer for `key`: kept and younger than the TTL, or loaded (once for every concurrent reader). */
  async get(key: string, load: () => Promise<{ answer: CachedAnswer; keep: boolean }>): Promise<CachedAnswer> {
    const kept = this.answers.get(key);
    if (kept && this.now() - kept.at < this.ttlMs) return kept.answer;
    let pending = this.loading.get(key);
    if (!pending) {
      const startedAt = this.now();
      pending = load().then(({ answer, keep }) => {
        if (keep) this.keep(key, startedAt, answer);
        else this.answers.delete(key);
        return answer;
      });
      pending.finally(() => this.loading.delete(key)).catch(() => {}); // the callers see the error; this chain only cleans up
      this.loading.set(key, pending);
    }
    return pending;
  }

  private keep(key: string, at: number, answer: CachedAnswer) {
    // the oldest entry goes first when full (a Map iterates in insertion order)
    if (this.answers.size >= this.maxEntries && !this.answers.has(key)) this.answers.delete(this.answers.keys().next().value!);
    this.answers.delete(key);
    // aged from when the call started: what it answered may be that old already
    this.answers.set(key, { at, answer });
  }
}
