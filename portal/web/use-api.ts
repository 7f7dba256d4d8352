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
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setLoading(true);
    api.get<T>(path).then(
      (value) => {
        if (!live) return;
        setData(value);
        setError('');
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(errorText(e));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}
