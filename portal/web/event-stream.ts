// The service's change events (GET /api/v1/events) over one EventSource shared by every page:
// opened with the first listener, closed with the last. EventSource reconnects by itself.
import { useEffect, useRef } from 'preact/hooks';
import { API_BASE } from './api-client.ts';
import type { FleetEvent } from './api-types.ts';

type Listener = (event: FleetEvent) => void;

const listeners = new Set<Listener>();
let source: EventSource | null = null;

function parse(data: string): FleetEvent | null {
  try {
    const value = JSON.parse(data) as { type?: unknown };
    return value && typeof value === 'object' && typeof value.type === 'string'
      ? (value as FleetEvent)
      : null;
  } catch {
    return null;
  }
}

function open(): void {
  source = new EventSource(`${API_BASE}/events`);
  for (const type of ['router', 'reply', 'rollout'] as const)
    source.addEventListener(type, (message) => {
      const event = parse((message as MessageEvent<string>).data);
      if (event) for (const listener of [...listeners]) listener(event);
    });
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  if (!source) open();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && source) {
      source.close();
      source = null;
    }
  };
}

/** Calls the latest `listener` for each event while the component is shown. */
export function useFleetEvents(listener: Listener): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => subscribe((event) => latest.current(event)), []);
}
