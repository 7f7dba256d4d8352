// GET /events: the service's change events as server-sent events (`event: router|reply|rollout`,
// `data: <JSON>`), with a comment line every 15 s so proxies keep the connection open.
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { FleetEvent } from '../core/fleet-event.ts';
import type { FleetService } from '../service/fleet-service.ts';
import type { AppEnv } from './app-env.ts';
import { onlyParams } from './query-params.ts';

const KEEPALIVE_MS = 15_000;
// A slow client must not make the service hold events without bound: beyond this it is cut.
const MAX_QUEUED = 10_000;

export function eventRoutes(fleet: FleetService): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/events', (c) => {
    onlyParams(c.req.query(), []);
    return streamSSE(c, async (stream) => {
      const queue: FleetEvent[] = [];
      let wake: (() => void) | undefined;
      let closed = false;
      const unsubscribe = fleet.onEvent((event) => {
        if (queue.length >= MAX_QUEUED) closed = true;
        else queue.push(event);
        wake?.();
      });
      stream.onAbort(() => {
        closed = true;
        wake?.();
      });
      try {
        await stream.writeSSE({
          event: 'hello',
          data: JSON.stringify({ operator: c.get('operator').name }),
        });
        while (!closed) {
          const event = queue.shift();
          if (event) {
            await stream.writeSSE({ event: event.type, data: JSON.stringify(event) });
            continue;
          }
          const woke = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), KEEPALIVE_MS);
            wake = () => {
              clearTimeout(timer);
              resolve(true);
            };
          });
          wake = undefined;
          if (!woke && !closed) await stream.write(': keepalive\n\n');
        }
      } finally {
        unsubscribe();
      }
    });
  });
  return app;
}
