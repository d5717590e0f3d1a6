// Which methods a path takes: a second router that knows every route's method and path, and answers
// nothing else. Fastify's own router tells only that no route matched; this tells the 405's Allow.
import Router from 'find-my-way';

const noop = () => undefined;

export function methodsOf(options: { maxParamLength: number }) {
  // the same matching as the app's router: trailing slashes ignored, the same longest parameter
  const router = Router({ ignoreTrailingSlash: true, maxParamLength: options.maxParamLength });
  const known = new Set<string>();
  const methods = new Set<string>();
  return {
    add(method: string | string[], url: string) {
      for (const m of Array.isArray(method) ? method : [method]) {
        const key = `${m} ${url}`;
        if (known.has(key)) continue;
        known.add(key);
        methods.add(m);
        router.on(m as Router.HTTPMethod, url, noop);
      }
    },
    /**
     * The methods this path takes, in a fixed order; none when no route has its path. OPTIONS alone does
     * not count: CORS answers it for every path (`OPTIONS *`), which makes no path exist.
     */
    allowed(path: string): string[] {
      const found = [...methods].sort().filter((m) => router.find(m as Router.HTTPMethod, path) !== null);
      return found.some((m) => m !== 'OPTIONS') ? found : [];
    },
  };
}
