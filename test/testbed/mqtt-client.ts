// An MQTT client inside a test namespace (scripts/mqtt-client.mjs, MQTT.js under Node), driven
// from the test: the ISP's side of the link, or an impostor for the ACL checks. Every request and
// every wait is bounded.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnIn } from './exec.ts';
import { NODE } from './scripts.ts';

export const MQTT_CLIENT_SCRIPT = fileURLToPath(
  new URL('./scripts/mqtt-client.mjs', import.meta.url),
);
const REQUEST_TIMEOUT_MS = 8000;

export interface MqttMessage {
  readonly topic: string;
  readonly payload: string;
  readonly bytes: number;
  readonly retain: boolean;
  readonly qos: number;
  /** Position in the client's message log. */
  readonly index: number;
}

export interface MqttConnectOptions {
  readonly clientId?: string;
  readonly username?: string;
  readonly password?: string;
  readonly protocolVersion?: 4 | 5;
  /** File paths, for mqtts:// URLs. */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface MqttAnswer {
  readonly ok: boolean;
  readonly error?: string;
  readonly code?: string | number;
  readonly [key: string]: unknown;
}

export interface TestMqttClient {
  /** Every message received so far, in order. */
  readonly messages: readonly MqttMessage[];
  connect(url: string, options: MqttConnectOptions): Promise<MqttAnswer>;
  /** Subscribes; `granted` holds the QoS per topic (128 or 135 means refused). */
  subscribe(topic: string, qos?: 0 | 1): Promise<MqttAnswer>;
  publish(topic: string, payload: string, options?: PublishOptions): Promise<MqttAnswer>;
  /**
   * Publishes `size` bytes of 'x', or of `options.byte` (made in the client, not sent through
   * the pipe).
   */
  publishFilled(
    topic: string,
    size: number,
    options?: PublishOptions & { readonly byte?: number },
  ): Promise<MqttAnswer>;
  /** The first message at or after `from` that matches; rejects after `timeoutMs`. */
  waitMessage(
    match: (m: MqttMessage) => boolean,
    timeoutMs: number,
    from?: number,
    what?: string,
  ): Promise<MqttMessage>;
  /** Messages at or after `from` that match, after waiting `ms` for stragglers. */
  collect(match: (m: MqttMessage) => boolean, ms: number, from?: number): Promise<MqttMessage[]>;
  end(): Promise<void>;
  /** Ends the client process. */
  close(): void;
}

export interface PublishOptions {
  readonly retain?: boolean;
  readonly qos?: 0 | 1;
}

interface Line {
  readonly seq?: number;
  readonly event?: string;
  readonly [key: string]: unknown;
}

/** Starts a client process in `ns` (not connected yet). */
export function startMqttClient(ns: string): TestMqttClient {
  const child: ChildProcessWithoutNullStreams = spawnIn(ns, [NODE, MQTT_CLIENT_SCRIPT]);
  const messages: MqttMessage[] = [];
  const pending = new Map<number, (answer: MqttAnswer) => void>();
  const waiters = new Set<() => void>();
  let seq = 0;
  let stderr = '';
  let buffered = '';
  let exited = false;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.on('exit', () => {
    exited = true;
    for (const [, resolve] of pending)
      resolve({ ok: false, error: `mqtt client exited: ${stderr.trim()}` });
    pending.clear();
  });
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, newline)) as Line;
      buffered = buffered.slice(newline + 1);
      if (line.seq !== undefined) {
        const resolve = pending.get(line.seq);
        pending.delete(line.seq);
        resolve?.(line as unknown as MqttAnswer);
      } else if (line.event === 'message') {
        messages.push({
          ...(line as unknown as Omit<MqttMessage, 'index'>),
          index: messages.length,
        });
        for (const wake of [...waiters]) wake();
      }
    }
  });

  const request = (body: Record<string, unknown>): Promise<MqttAnswer> => {
    if (exited)
      return Promise.resolve({ ok: false, error: `mqtt client exited: ${stderr.trim()}` });
    const id = ++seq;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve({
          ok: false,
          error: `no answer to ${String(body.op)} within ${REQUEST_TIMEOUT_MS} ms`,
        });
      }, REQUEST_TIMEOUT_MS);
      pending.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      child.stdin.write(`${JSON.stringify({ seq: id, ...body })}\n`);
    });
  };

  const waitMessage = (
    match: (m: MqttMessage) => boolean,
    timeoutMs: number,
    from = 0,
    what = 'a matching message',
  ): Promise<MqttMessage> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = messages.slice(from).find(match);
        if (!found) return false;
        clearTimeout(timer);
        waiters.delete(wake);
        resolve(found);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        waiters.delete(wake);
        const seen = messages
          .slice(from)
          .map((m) => `${m.topic} ${m.payload.slice(0, 300)}`)
          .join('\n  ');
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got:\n  ${seen}`));
      }, timeoutMs);
      if (!check()) waiters.add(wake);
    });

  return {
    messages,
    connect: (url, options) => request({ op: 'connect', url, options }),
    subscribe: (topic, qos = 1) => request({ op: 'subscribe', topic, qos }),
    publish: (topic, payload, options = {}) =>
      request({
        op: 'publish',
        topic,
        payload,
        qos: options.qos ?? 1,
        retain: options.retain ?? false,
      }),
    publishFilled: (topic, size, options = {}) =>
      request({
        op: 'publish',
        topic,
        fill: { char: 'x', size, ...(options.byte !== undefined && { byte: options.byte }) },
        qos: options.qos ?? 1,
        retain: options.retain ?? false,
      }),
    waitMessage,
    collect: async (match, ms, from = 0) => {
      await new Promise((r) => setTimeout(r, ms));
      return messages.slice(from).filter(match);
    },
    end: async () => {
      await request({ op: 'end' });
    },
    close: () => {
      child.stdin.end();
      setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, 1000).unref();
    },
  };
}
