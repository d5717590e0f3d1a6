import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbort } from './api';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `load` when `deps` change and, if `refreshMs` gives a number for the data just loaded, again
 * after that many ms (live views poll this way; a hidden tab skips its turns). A failed refresh keeps
 * the data already shown and reports the error beside it.
 */
export function useResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
  refreshMs?: number | ((data: T | undefined) => number | null),
): Resource<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const refreshRef = useRef(refreshMs);
  refreshRef.current = refreshMs;
  const depsKey = JSON.stringify(deps);
  const shownKey = useRef(depsKey);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: T | undefined;
    if (shownKey.current !== depsKey) {
      // another thing is asked for: do not keep showing the previous one while it loads
      shownKey.current = depsKey;
      setState({ data: undefined, error: undefined, loading: true });
    }
    const schedule = () => {
      const r = refreshRef.current;
      const ms = typeof r === 'function' ? r(last) : r;
      if (ms && !controller.signal.aborted) timer = setTimeout(run, ms);
    };
    const run = async () => {
      if (document.hidden && last !== undefined) return schedule();
      try {
        const data = await loadRef.current(controller.signal);
        if (controller.signal.aborted) return;
        last = data;
        setState({ data, error: undefined, loading: false });
      } catch (err) {
        if (isAbort(err) || controller.signal.aborted) return;
        setState((s) => ({ ...s, error: err, loading: false }));
      }
      schedule();
    };
    void run();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [depsKey, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}

/** Sets the document title for the page shown. */
export function useTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Airline`;
  }, [title]);
}
