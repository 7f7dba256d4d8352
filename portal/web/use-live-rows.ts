// Keeps the shown routers current from the event stream: a `router` event for a shown router
// reloads just that row (batched, at most once a second); a `reply` event updates its request
// status. Routers not on the page are ignored, so a busy fleet costs the page nothing.
import { useEffect, useRef } from 'preact/hooks';
import { api } from './api-client.ts';
import type { RouterDetail, RouterSummary } from './api-types.ts';
import { useFleetEvents } from './event-stream.ts';

const BATCH_MS = 1000;

export function useLiveRows(
  shown: readonly RouterSummary[],
  onRow: (row: RouterSummary) => void,
  onReply: (routerId: string, status: string) => void,
): void {
  const ids = useRef(new Set<string>());
  ids.current = new Set(shown.map((r) => r.id));
  const due = useRef(new Set<string>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const flush = () => {
    timer.current = null;
    const batch = [...due.current];
    due.current.clear();
    for (const id of batch)
      api.get<RouterDetail>(`/routers/${encodeURIComponent(id)}`).then(
        (row) => ids.current.has(row.id) && onRow(row),
        () => {},
      );
  };

  useFleetEvents((event) => {
    if (event.type === 'reply' && ids.current.has(event.routerId))
      onReply(event.routerId, event.record.status);
    const id = event.type === 'router' ? event.id : event.type === 'reply' ? event.routerId : null;
    if (id === null || !ids.current.has(id)) return;
    due.current.add(id);
    timer.current ??= setTimeout(flush, BATCH_MS);
  });
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
}
