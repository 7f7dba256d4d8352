// The daemon's broker link (agent/daemon/remote-link.ts) alone under QuickJS, for the reconnect
// tests of test/mqtt/link-backoff.test.ts: bundled by test/qjs/build-trial.ts into
// dist/test/link-trial.js and run as
//   dist/qjs dist/test/link-trial.js --broker URL --reconnect-min S --reconnect-max S --retries N
//     [--healthy-ms MS (how long a session must last to reset the backoff; default 60000)]
//     [--publish-on-connect 1 (publish once per session, log when that settles)]
// It prints every log line of the link as a JSON event {event: 'log', level, message, ms} and
// stops the link (and so ends) after N reconnect delays were scheduled.
import '../../agent/runtime/quickjs/globals.ts';
import { RemoteLink } from '../../agent/daemon/remote-link.ts';
import { createLogger } from '../../agent/log/logger.ts';
import { topicsFor } from '../../contract/topics.ts';
import { createQuickJsRuntime } from '../../agent/runtime/quickjs/runtime.ts';

const runtime = createQuickJsRuntime();
const flags = new Map<string, string>();
for (let i = 0; i + 1 < runtime.argv.length; i++)
  if (runtime.argv[i]!.startsWith('--')) flags.set(runtime.argv[i]!.slice(2), runtime.argv[++i]!);
const number = (name: string, fallback: number): number => Number(flags.get(name) ?? fallback);

const started = Date.now();
const retries = number('retries', 4);
let scheduled = 0;
let link: RemoteLink | null = null;
const log = createLogger((level, message) => {
  runtime.writeStdout(
    `${JSON.stringify({ event: 'log', level, message, ms: Date.now() - started })}\n`,
  );
  if (/reconnecting in/.test(message) && ++scheduled >= retries) void link?.stop();
}, 'debug');

link = new RemoteLink(
  runtime,
  {
    broker: flags.get('broker') ?? 'mqtt://127.0.0.1:1883',
    protocolVersion: 4,
    username: null,
    passwordFile: null,
    caFile: null,
    certFile: null,
    keyFile: null,
    keepaliveS: 60,
    topicPrefix: 'op25b/v1',
    reconnectMinS: number('reconnect-min', 1),
    reconnectMaxS: number('reconnect-max', 8),
    startupDelayS: 0,
  },
  'link-trial',
  topicsFor('op25b/v1', 'link-trial'),
  '0123456789abcdef',
  log,
  {
    // --publish-on-connect: publish once per session and log when the publish settles.
    onConnected: () => {
      if (!flags.has('publish-on-connect')) return;
      void link?.publish('op25b/v1/trial', { n: scheduled }, false).then((ok) => {
        log.info(`trial: publish settled ${String(ok)}`);
      });
    },
    onMessage: () => {},
  },
  number('healthy-ms', 60_000),
);
link.start();
