// MQTT under QuickJS, for test/mqtt/qjs-broker.test.ts, qjs-fake-broker.test.ts and for
// measurements: bundled by test/qjs/build-trial.ts into dist/test/mqtt-trial.js and run as
//   dist/qjs dist/test/mqtt-trial.js <mode> --broker URL [options]
// It prints one JSON object per line (events) and, like a daemon without work, leaves the process
// to end by itself once the connection is closed: a stray timer or handler would keep it alive.
//
// Modes:
//   connect    connect, then end() (clean DISCONNECT)
//   roundtrip  subscribe to --topic (QoS 1), publish --payload there (QoS 1), await it, end()
//   retained   subscribe to --topic, await the first message (a retained one), end()
//   idle       subscribe to --topic, print every message, stay connected until SIGTERM, end()
//   wait       connect and do nothing: for connection losses (no end(), no signal handler)
//   reconnect  like wait, but after the first unrequested close call client.reconnect() once,
//              and end() once connected again (what a daemon keeping its session would do)
// Options: --protocol 4|5, --client-id ID, --keepalive S, --connect-timeout MS, --username U,
//   --password P, --will-topic T --will-payload P, --read-limit BYTES (readLimitBytes),
//   --ca FILE, --cert FILE, --key FILE,
//   --payload TEXT or --payload-size N (roundtrip), --gc-stress 1 (a full GC every 2 ms until
//   the connection closes: shakes out use-after-free bugs such as QuickJS 2021-03-27's timers').
import '../../agent/runtime/quickjs/globals.ts';
import * as os from 'os';
import * as std from 'std';
import { createMqttClient, type MqttClientOptions } from '../../agent/mqtt/create-client.ts';
import { createQuickJsRuntime } from '../../agent/runtime/quickjs/runtime.ts';
import { decodeUtf8, encodeUtf8 } from '../../agent/encoding/utf8.ts';

// std.gc() exists in every qjs; agent/runtime/quickjs/quickjs-modules.d.ts leaves it out.
const gc = (std as unknown as { gc(): void }).gc;

const runtime = createQuickJsRuntime();
const [mode = '', ...rest] = runtime.argv;
const flags = new Map<string, string>();
for (let i = 0; i + 1 < rest.length; i += 2) flags.set(rest[i]!.replace(/^--/, ''), rest[i + 1]!);
const flag = (name: string): string | undefined => flags.get(name);

const print = (event: string, data: Record<string, unknown> = {}): void =>
  runtime.writeStdout(`${JSON.stringify({ event, ms: Date.now() - started, ...data })}\n`);

const topic = flag('topic') ?? 'op25b/trial';
const willTopic = flag('will-topic');
const ca = flag('ca');
const cert = flag('cert');
const key = flag('key');
const options: MqttClientOptions = {
  broker: flag('broker') ?? 'mqtt://127.0.0.1:1883',
  clientId: flag('client-id') ?? `trial-${Date.now().toString(36)}`,
  protocolVersion: flag('protocol') === '5' ? 5 : 4,
  keepaliveSeconds: Number(flag('keepalive') ?? 60),
  ...(flag('read-limit') !== undefined && { readLimitBytes: Number(flag('read-limit')) }),
  connectTimeoutMs: Number(flag('connect-timeout') ?? 10000),
  ...(flag('username') !== undefined && { username: flag('username') }),
  ...(flag('password') !== undefined && { password: flag('password') }),
  ...(willTopic !== undefined && {
    will: { topic: willTopic, payload: flag('will-payload') ?? 'gone', qos: 1, retain: false },
  }),
  ...(ca !== undefined && {
    tls: {
      caFile: ca,
      ...(cert !== undefined && key !== undefined && { certFile: cert, keyFile: key }),
    },
  }),
};

const started = Date.now();
let closed = false;
if (flag('gc-stress') === '1') {
  // The handle is dropped at once: an unreferenced os timer is safe from the bug it hunts.
  const collect = (): void => {
    gc();
    if (!closed) os.setTimeout(collect, 2);
  };
  collect();
}
const client = createMqttClient(runtime, options, {
  onConnect: (connack) => {
    print('connect', { sessionPresent: connack.sessionPresent });
    void afterConnect();
  },
  onMessage: (messageTopic, payload, packet, size) => {
    const text = decodeUtf8(payload);
    print('message', {
      topic: messageTopic,
      size,
      ...(text.length <= 200 ? { payload: text } : { payloadLength: text.length }),
      qos: packet.qos,
      retain: packet.retain,
    });
    messageSeen?.();
  },
  onClose: (info) => {
    if (mode === 'reconnect' && !info.requested && !reconnected) {
      reconnected = true;
      runtime.setTimeout(() => client.reconnect(), 100); // the daemon's backoff
    } else closed = true;
    print('close', {
      connected: info.connected,
      requested: info.requested,
      error: info.error && { code: info.error.code ?? null, message: info.error.message },
      stderr: info.transportStderr,
    });
  },
  onError: (error) => print('error', { message: error.message }),
});

let reconnected = false;
const subscribed = (t: string): Promise<number[]> =>
  new Promise((resolve, reject) =>
    client.subscribe(t, { qos: 1 }, (error, granted) =>
      error ? reject(error) : resolve((granted ?? []).map((g) => g.qos)),
    ),
  );
const published = (t: string, payload: Uint8Array): Promise<void> =>
  new Promise((resolve, reject) =>
    client.publish(t, payload, { qos: 1 }, (error) => (error ? reject(error) : resolve())),
  );
let messageSeen: (() => void) | undefined;
const nextMessage = (): Promise<void> => new Promise((resolve) => (messageSeen = resolve));

async function afterConnect(): Promise<void> {
  try {
    if (mode === 'connect' || (mode === 'reconnect' && reconnected)) {
      // nothing more
    } else if (mode === 'wait' || mode === 'reconnect') {
      return;
    } else if (mode === 'roundtrip') {
      print('subscribed', { granted: await subscribed(topic) });
      const message = nextMessage();
      const size = flag('payload-size');
      const payload = size === undefined ? (flag('payload') ?? 'hello') : 'x'.repeat(Number(size));
      await published(topic, encodeUtf8(payload));
      print('published');
      await message;
    } else if (mode === 'retained') {
      const message = nextMessage();
      await subscribed(topic);
      await message;
    } else if (mode === 'idle') {
      await subscribed(topic);
      print('ready');
      runtime.onSignal('TERM', () => {
        print('sigterm');
        client.end();
      });
      return;
    } else {
      print('usage', { message: `unknown mode ${mode}` });
    }
    client.end(false, () => print('ended'));
  } catch (error) {
    print('failed', { message: String(error) });
    client.end(true);
  }
}
