// `npm start`: the whole system on this machine. A private mosquitto (or MQTT_URL's broker), the
// portal with PGlite in the data folder, a demo login, a signing key made on the first start, a
// few dozen simulated routers running the real agent, and with --real-router one agent under
// dist/qjs in network namespaces. Prints the URL, the login and how to stop; SIGINT or SIGTERM
// stop everything it started, routers first, and it exits once every process of theirs is gone.
import { spawn } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../portal/config/config-error.ts';
import { startBroker } from './broker.ts';
import { startChild, type Child, type SpawnSpec } from './children.ts';
import { dataFolder, demoPassword, prepareDataFolder } from './data-folder.ts';
import { freePort, portProblem, waitForPort } from './ports.ts';
import { startRealRouter, type RealRouter } from './real-router.ts';
import { parseStartOptions, START_USAGE, type StartOptions } from './start-options.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO_ACCOUNT = 'demo';
const say = (line = ''): void => void process.stdout.write(`${line}\n`);
const note = (line: string): void => void process.stderr.write(`start: ${line}\n`);
const tsx = (file: string): string[] => [process.execPath, '--import', 'tsx', join(ROOT, file)];
const show = (path: string): string => {
  const near = relative(process.cwd(), path);
  return near && !near.startsWith('..') ? near : path;
};

class Stopped extends Error {}

/** Children in start order; stopped in reverse. */
const children: Child[] = [];
let realRouter: RealRouter | null = null;
let stopping: Promise<void> | null = null;
let signalled: (why: string) => void = () => {};
const signal = new Promise<string>((resolve) => (signalled = resolve));

function onSignal(name: string): void {
  // Ctrl-C reaches npm too, which passes it on: more signals while stopping change nothing.
  if (stopping) note(`${name}: stopping already`);
  signalled(name);
  void stopAll(name);
}

function launch(spec: SpawnSpec): Child {
  if (stopping) throw new Stopped();
  const child = startChild(spec);
  children.push(child);
  return child;
}

function stopAll(why: string): Promise<void> {
  stopping ??= (async () => {
    note(`${why}: stopping`);
    for (const child of [...children].reverse()) {
      await child.stop();
      note(`${child.name} stopped`);
    }
  })();
  return stopping;
}

/** Adds the demo account (or sets its password again) in a process of its own. */
function demoAccount(
  env: NodeJS.ProcessEnv,
  password: string,
): Promise<{ code: number | null; stderr: string }> {
  const [node, ...args] = tsx('start/demo-account.ts');
  const child = spawn(node!, [...args, DEMO_ACCOUNT], { cwd: ROOT, env, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  child.stdin.end(`${password}\n`);
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: 127, stderr: error.message }));
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

async function run(options: StartOptions): Promise<number> {
  const { host } = options.listen;
  const port = options.listen.port || (await freePort(host));
  const taken = await portProblem(host, port);
  if (taken) {
    note(
      `error: cannot listen on ${host}:${port} (${taken}): another npm start or portal may run there; set PORTAL_LISTEN=127.0.0.1:PORT`,
    );
    return 1;
  }
  const folder = dataFolder(options.dataDir);
  const made = prepareDataFolder(folder);
  if (made.newKey) note(`made a signing key ${show(folder.signingKey)} (0600)`);
  const logs = (name: string): string => join(folder.logsDir, `${name}.log`);

  let mqttUrl = options.mqttUrl;
  if (!mqttUrl) {
    mqttUrl = (await startBroker(folder.brokerDir, logs('mosquitto'), launch)).url;
  }
  note(`broker ${mqttUrl}`);

  // The routers need only the broker: they start while the portal opens its database, which
  // then reads their retained state and status when it subscribes.
  launch({
    name: 'routers',
    argv: [
      ...tsx('start/routers/main.ts'),
      '--tied',
      '--broker',
      mqttUrl,
      '--verify-key',
      folder.verifyKey,
      '--dir',
      folder.routersDir,
      '--routers',
      String(options.routers),
      '--report-interval',
      String(options.reportIntervalS),
      '--log',
      logs('routers-agents'),
    ],
    cwd: ROOT,
    logFile: logs('routers'),
    stdinPipe: true,
  });

  const env = {
    ...process.env,
    MQTT_URL: mqttUrl,
    PORTAL_DATA: folder.portalData,
    PORTAL_LISTEN: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    PORTAL_SIGNING_KEY: folder.signingKey,
    PORTAL_REPORT_INTERVAL_S: String(options.reportIntervalS),
  };
  const password = demoPassword(folder);
  const account = await demoAccount(env, password);
  if (account.code !== 0) {
    note(`error: cannot prepare the demo login: ${account.stderr.trim()}`);
    await stopAll('error');
    return 1;
  }
  if (stopping) throw new Stopped();

  const portal = launch({
    name: 'portal',
    argv: tsx('portal/main.ts'),
    env,
    cwd: ROOT,
    logFile: logs('portal'),
  });
  await waitForPort(host, port, 90_000, () => !portal.exited && !stopping).catch(
    (error: unknown) => {
      if (stopping) throw new Stopped();
      throw new Error(`the portal did not start: ${String(error)} (see ${show(logs('portal'))})`);
    },
  );
  note(`portal up (log ${show(logs('portal'))})`);

  if (options.realRouter) {
    const outcome = await startRealRouter({
      root: ROOT,
      mqttUrl,
      verifyKey: folder.verifyKey,
      logFile: logs('real-router'),
      launch,
    });
    if (typeof outcome === 'string') note(`--real-router: ${outcome}; going on without it`);
    else realRouter = outcome;
    if (stopping) throw new Stopped();
  }

  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  say('');
  say('op25b: the whole system runs on this machine');
  say(`  portal   ${url}/   (API ${url}/api/v1, OpenAPI ${url}/api/v1/openapi.json)`);
  say(`  login    ${DEMO_ACCOUNT} / ${password}   (admin; kept in ${show(folder.passwordFile)})`);
  say(`  broker   ${mqttUrl}${options.mqttUrl ? '' : ' (private mosquitto)'}`);
  say(
    `  routers  ${options.routers} simulated: the real agent under Node, backend simulated (log ${show(logs('routers-agents'))})`,
  );
  if (realRouter) say(`  real     ${realRouter.describe}`);
  say(`  data     ${show(folder.root)}/ (delete it to start afresh)`);
  say('  stop     Ctrl-C');
  say('');

  const ended = await Promise.race([
    signal,
    ...children.map((child) => child.exit.then((code) => `${child.name} ended (exit ${code})`)),
  ]);
  await stopAll(ended);
  return ended.startsWith('SIG') ? 0 : 1;
}

async function main(): Promise<number> {
  let options: StartOptions;
  try {
    if (process.argv.includes('--help')) {
      process.stdout.write(START_USAGE);
      return 0;
    }
    options = parseStartOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    note(`error: ${error.message}`);
    return 2;
  }
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  try {
    return await run(options);
  } catch (error) {
    if (!(error instanceof Stopped))
      note(`error: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll('error');
    return error instanceof Stopped ? 130 : 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    note(`internal error: ${String(error)}`);
    void stopAll('internal error').then(() => process.exit(1));
  },
);
