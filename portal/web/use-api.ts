// Loading one API resource in a component: the data, the error text, and a reload function.
// A reload does not hide an answer on its way: each answer for the current path is shown
// unless a later request's answer already is (pages reload when the event stream opens, often
// before their first answer is in, and must not wait for the second).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, errorText } from './api-client.ts';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string;
  /** The answer to the latest request is not in yet (older data may be shown). */
  readonly loading: boolean;
  reload(): void;
}

interface Requests {
  /** Requests made so far, and the number of the one whose answer is shown. */
  made: number;
  shown: number;
  /** The path asked, and the first request for it: answers to earlier ones are for another. */
  path: string | null;
  pathFrom: number;
  mounted: boolean;
}

export function useApi<T>(path: string | null): Loaded<T> {
  const [tick, setTick] = useState(0);
  // Which request the data and error answer: loading is derived from it, so the render right
  // after the path changes already says "loading" (no frame of old data marked as current).
  const key = path === null ? null : `${tick} ${path}`;
  const [result, setResult] = useState<{ key: string | null; data?: T; error: string }>({
    key: null,
    error: '',
  });
  const requests = useRef<Requests>({ made: 0, shown: 0, path: null, pathFrom: 0, mounted: true });
  useEffect(() => {
    if (path === null) return;
    const r = requests.current;
    const asked = ++r.made;
    if (r.path !== path) {
      r.path = path;
      r.pathFrom = asked;
    }
    const show = (next: (prev: typeof result) => typeof result) => {
      if (!r.mounted || asked < r.pathFrom || asked < r.shown) return;
      r.shown = asked;
      setResult(next);
    };
    api.get<T>(path).then(
      (value) => show(() => ({ key, data: value, error: '' })),
      (e: unknown) => show((prev) => ({ key, data: prev.data, error: errorText(e) })),
    );
  }, [key]);
  useEffect(
    () => () => {
      requests.current.mounted = false;
    },
    [],
  );
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return {
    data: result.data,
    error: result.error,
    loading: key !== null && result.key !== key,
    reload,
  };
}
