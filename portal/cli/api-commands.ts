// The CLI commands that go through the API.
import type {
  ActionResult,
  RolloutRecord,
  RouterDetail,
  RouterSummary,
} from '../service/fleet-service.ts';
import type { ApiClient } from './api-client.ts';
import type { CliCommand, Target } from './cli-args.ts';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL } from './exit-codes.ts';
import { actionSummary, rolloutLine, routerRecord, routerTable } from './output.ts';

export interface Io {
  readonly out: (text: string) => void;
}

const apiTarget = (t: Target) =>
  'ids' in t ? (t.ids.length === 1 ? { id: t.ids[0] } : { ids: t.ids }) : t;
const query = (params: Record<string, string>) => {
  const q = new URLSearchParams(params).toString();
  return q ? `?${q}` : '';
};
const asJson = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

export async function runApiCommand(cmd: CliCommand, api: ApiClient, io: Io): Promise<number> {
  switch (cmd.kind) {
    case 'list': {
      const list = await api.json<{
        items: RouterSummary[];
        total: number;
        totalEstimated?: boolean;
      }>('GET', `/routers${query(cmd.params)}`);
      io.out(cmd.json ? asJson(list) : routerTable(list));
      return EXIT_OK;
    }
    case 'show': {
      const r = await api.json<RouterDetail>('GET', `/routers/${encodeURIComponent(cmd.id)}`);
      io.out(cmd.json ? asJson(r) : routerRecord(r));
      return EXIT_OK;
    }
    case 'action': {
      const result = await api.json<ActionResult>('POST', '/actions', {
        action: cmd.action,
        reason: cmd.reason,
        target: apiTarget(cmd.target),
      });
      io.out(cmd.json ? asJson(result) : actionSummary(result));
      return result.failed > 0 ? EXIT_PARTIAL : EXIT_OK;
    }
    case 'rollout-start': {
      const r = await api.json<RolloutRecord>('POST', '/rollouts', {
        action: cmd.action,
        reason: cmd.reason,
        target: apiTarget(cmd.target),
        ...(cmd.waves && { waves: cmd.waves }),
        ...(cmd.maxErrorShare !== undefined && { max_error_share: cmd.maxErrorShare }),
        ...(cmd.maxMissingShare !== undefined && { max_missing_share: cmd.maxMissingShare }),
      });
      io.out(cmd.json ? asJson(r) : rolloutLine(r));
      return EXIT_OK;
    }
    case 'rollout-list': {
      const { items } = await api.json<{ items: RolloutRecord[] }>('GET', '/rollouts');
      io.out(cmd.json ? asJson(items) : items.map(rolloutLine).join(''));
      return EXIT_OK;
    }
    case 'rollout-show': {
      const r = await api.json<RolloutRecord>('GET', `/rollouts/${encodeURIComponent(cmd.id)}`);
      io.out(cmd.json ? asJson(r) : rolloutLine(r));
      return EXIT_OK;
    }
    case 'rollout-control': {
      const r = await api.json<RolloutRecord>(
        'POST',
        `/rollouts/${encodeURIComponent(cmd.id)}/${cmd.verb}`,
        { reason: cmd.reason },
      );
      io.out(cmd.json ? asJson(r) : rolloutLine(r));
      return EXIT_OK;
    }
    case 'export': {
      const res = await api.stream(`/export/routers.csv${query(cmd.params)}`);
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
        io.out(decoder.decode(chunk, { stream: true }));
      return EXIT_OK;
    }
    case 'watch':
      return watch(api, io);
    default:
      throw new Error(`not an API command: ${cmd.kind}`);
  }
}

/** Prints each event's data as one JSON line until the stream ends (which is an error). */
async function watch(api: ApiClient, io: Io): Promise<number> {
  const res = await api.stream('/events');
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      const event = /^event: ?(.*)$/m.exec(block)?.[1];
      if (data && event !== 'hello') io.out(data + '\n');
    }
  }
  throw new CliError(EXIT_FAILURE, 'the event stream ended (portal stopped?)');
}
