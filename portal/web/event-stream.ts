// The service's change events (GET /api/v1/events) over one EventSource shared by every page:
// opened with the first listener, closed with the last. EventSource reconnects by itself.
// A page shows a snapshot (GET) kept current by events, but a change made while the stream
// connects (on each navigation, after each reconnect) comes by no event: so every time the
// stream opens, each page is told to load its snapshot again (the server subscribes before it
// answers, so from `open` on nothing is missed).
import { useEffect, useRef } from 'preact/hooks';
import { API_BASE } from './api-client.ts';
import type { FleetEvent } from './api-types.ts';

type Listener = (event: FleetEvent) => void;

interface Subscriber {
  readonly event: Listener;
  readonly open: () => void;
}

const subscribers = new Set<Subscriber>();
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
  source.addEventListener('open', () => {
    for (const s of [...subscribers]) s.open();
  });
  for (const type of ['router', 'reply', 'rollout'] as const)
    source.addEventListener(type, (message) => {
      const event = parse((message as MessageEvent<string>).data);
      if (event) for (const s of [...subscribers]) s.event(event);
    });
}

/** `onOpen` runs each time the stream (re)opens: reload what the page shows from then on. */
export function subscribe(listener: Listener, onOpen: () => void = () => {}): () => void {
  const subscriber: Subscriber = { event: listener, open: onOpen };
  subscribers.add(subscriber);
  if (!source) open();
  return () => {
    subscribers.delete(subscriber);
    if (subscribers.size === 0 && source) {
      source.close();
      source = null;
    }
  };
}

/**
 * Calls the latest `listener` for each event while the component is shown, and the latest
 * `onOpen` each time the stream opens (a snapshot loaded before that may miss changes).
 */
export function useFleetEvents(listener: Listener, onOpen?: () => void): void {
  const latest = useRef({ listener, onOpen });
  latest.current = { listener, onOpen };
  useEffect(
    () =>
      subscribe(
        (event) => latest.current.listener(event),
        () => latest.current.onOpen?.(),
      ),
    [],
  );
}
