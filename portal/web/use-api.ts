// Loading one API resource in a component: the data, the error text, and a reload function.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, errorText } from './api-client.ts';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string;
  readonly loading: boolean;
  reload(): void;
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
  useEffect(() => {
    if (path === null) return;
    let live = true;
    api.get<T>(path).then(
      (value) => {
        if (live) setResult({ key, data: value, error: '' });
      },
      (e: unknown) => {
        if (live) setResult((prev) => ({ key, data: prev.data, error: errorText(e) }));
      },
    );
    return () => {
      live = false;
    };
  }, [key]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return {
    data: result.data,
    error: result.error,
    loading: key !== null && result.key !== key,
    reload,
  };
}
