// `npm start [-- --real-router] [-- --routers N]` and its environment, parsed and checked before
// anything starts.
import { resolve } from 'node:path';
import { ConfigError } from '../portal/config/config-error.ts';
import { parseInteger, parseListen, parseMqttUrl } from '../portal/config/option-parsers.ts';
import type { ListenAddress } from '../portal/config/portal-config.ts';

export interface StartOptions {
  /** The data folder: START_DATA, default data/ (git-ignored). */
  readonly dataDir: string;
  readonly listen: ListenAddress;
  /** MQTT_URL: an existing broker instead of a private mosquitto. */
  readonly mqttUrl: string | null;
  readonly routers: number;
  readonly reportIntervalS: number;
  readonly realRouter: boolean;
}

export const START_USAGE = `usage: npm start [-- --real-router] [-- --routers N]

Starts the whole system on this machine: a private mosquitto, the portal on
http://127.0.0.1:8080 and N simulated routers (default 40) running the real agent.
--real-router adds one agent under dist/qjs in network namespaces (root only).

environment: START_DATA (data folder, default data), PORTAL_LISTEN (default
127.0.0.1:8080), MQTT_URL (an existing mqtt:// broker instead of a private one),
START_ROUTERS, START_REPORT_INTERVAL_S (the routers' report interval, default 60)
`;

export function parseStartOptions(argv: readonly string[], env: NodeJS.ProcessEnv): StartOptions {
  let realRouter = false;
  let routers: string | undefined = env.START_ROUTERS || undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--real-router') realRouter = true;
    else if (arg === '--routers') routers = argv[++i];
    else if (arg.startsWith('--routers=')) routers = arg.slice('--routers='.length);
    else throw new ConfigError(`unknown argument ${JSON.stringify(arg)}`);
  }
  const mqttUrl = env.MQTT_URL ? parseMqttUrl(env.MQTT_URL, 'MQTT_URL') : null;
  if (mqttUrl && !mqttUrl.startsWith('mqtt://'))
    throw new ConfigError('MQTT_URL: the simulated routers need a plain mqtt:// broker');
  return {
    dataDir: resolve(env.START_DATA || 'data'),
    listen: parseListen(env.PORTAL_LISTEN || '127.0.0.1:8080', 'PORTAL_LISTEN'),
    mqttUrl,
    routers: routers === undefined ? 40 : parseInteger(routers, '--routers', 1, 500),
    reportIntervalS:
      env.START_REPORT_INTERVAL_S === undefined || env.START_REPORT_INTERVAL_S === ''
        ? 60
        : parseInteger(env.START_REPORT_INTERVAL_S, 'START_REPORT_INTERVAL_S', 10, 3600),
    realRouter,
  };
}
