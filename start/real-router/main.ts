// `npm start -- --real-router`: one real router next to the simulated ones. The agent's bundle
// under dist/qjs runs `run` in the router namespace of the test bed (test/testbed/: LAN hosts,
// router, WAN with the ISP's relay and a foreign mail server), enforcing with nftables in the
// kernel. Its broker is npm start's: the WAN host forwards 203.0.113.2:1883 over a Unix socket
// (which, unlike TCP, crosses namespaces) to the broker on 127.0.0.1, so nothing is routed in the
// root namespace. A LAN host tries the foreign mail server on port 25 now and then (bounded),
// so the portal shows the kernel's blocked attempts grow. Prints `ready ...` or
// `unavailable: why` (exit 3); SIGTERM stops the daemon and removes the namespaces.
//   node --import tsx start/real-router/main.ts --broker mqtt://127.0.0.1:PORT --verify-key F
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BACKENDS,
  checkAgentBuilt,
  createTestbed,
  daemonUci,
  PLAN,
  spawnIn,
  startDaemon,
  type RunningDaemon,
  type Testbed,
} from '../../test/testbed/index.ts';

export const REAL_ROUTER_ID = 'netns-qjs-router';
const BRIDGE_PORT = 1883;
/** One blocked attempt every 20 s for at most a day: a bounded loop of traffic. */
const ATTEMPT_EVERY_MS = 20_000;
const MAX_ATTEMPTS = 4320;

const { values } = parseArgs({
  options: { broker: { type: 'string' }, 'verify-key': { type: 'string' } },
});
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const broker = new URL(values.broker ?? 'mqtt://127.0.0.1:1883');
const dir = mkdtempSync(join(tmpdir(), 'op25b-real-router-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let bed: Testbed | null = null;
let daemon: RunningDaemon | null = null;
let timer: NodeJS.Timeout | null = null;
const socketPath = join(dir, 'broker.sock');
const relay = createServer((local) => {
  const upstream = connect(Number(broker.port || 1883), broker.hostname);
  local.pipe(upstream);
  upstream.pipe(local);
  for (const s of [local, upstream])
    s.on('error', () => {
      local.destroy();
      upstream.destroy();
    });
  local.on('close', () => upstream.destroy());
  upstream.on('close', () => local.destroy());
});

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    if (timer) clearTimeout(timer);
    if (daemon?.running()) {
      daemon.signal('SIGTERM');
      await daemon.waitExit(5000).catch(() => daemon?.kill());
    }
    await daemon?.kill();
    relay.close();
    await bed?.destroy().catch((e: unknown) => process.stderr.write(`cleanup: ${String(e)}\n`));
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(code);
}

async function probeNowAndThen(attempt: number): Promise<void> {
  if (!bed || stopping || attempt >= MAX_ATTEMPTS) return;
  await bed.probeAll([{ from: 'lan1', host: PLAN.wan.foreign.ipv4, port: 25 }]).catch(() => {});
  timer = setTimeout(() => void probeNowAndThen(attempt + 1), ATTEMPT_EVERY_MS);
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    say('unavailable: needs root (network namespaces and nftables)');
    return stop(3);
  }
  try {
    checkAgentBuilt();
    bed = await createTestbed();
  } catch (error) {
    say(`unavailable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return stop(3);
  }
  // The test bed's own signal handlers SIGKILL everything at once; here the daemon is first
  // stopped cleanly (it says goodbye on MQTT), then stop() removes the namespaces. Its exit
  // handler stays as the safety net.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stop(0));
  }
  await bed.installBaseline(BACKENDS.nftables);
  await new Promise<void>((resolve) => relay.listen(socketPath, resolve));
  spawnIn(bed.ns.wan, [
    'socat',
    `TCP-LISTEN:${BRIDGE_PORT},bind=${PLAN.wan.link.ipv4},reuseaddr,fork`,
    `UNIX-CONNECT:${socketPath}`,
  ]);
  const configPath = join(dir, 'op25b');
  writeFileSync(
    configPath,
    daemonUci({
      policy: {
        enabled: true,
        action: 'reject',
        allow: [PLAN.wan.relay.ipv4, PLAN.wan.relay.ipv6],
        wanDevices: ['wan'],
        backend: 'nftables',
      },
      agent: {
        device_id: REAL_ROUTER_ID,
        verify_key_file: values['verify-key'],
        state_dir: join(dir, 'state'),
        run_dir: join(dir, 'run'),
        report_interval: 60,
      },
      mqtt: {
        broker: `mqtt://${PLAN.wan.link.ipv4}:${BRIDGE_PORT}`,
        startup_delay: 0,
        reconnect_min: 2,
        reconnect_max: 30,
      },
    }),
  );
  daemon = startDaemon(bed.ns.router, configPath);
  await daemon.waitLog(/MQTT: connected/, 30_000);
  const [foreign, relayed] = await bed.probeAll([
    { from: 'lan1', host: PLAN.wan.foreign.ipv4, port: 25 },
    { from: 'lan1', host: PLAN.wan.relay.ipv4, port: 25 },
  ]);
  const shown = (result: string | undefined): string =>
    result === 'refused' ? 'blocked (reset)' : result === 'connected' ? 'open' : String(result);
  say(
    `ready ${REAL_ROUTER_ID}: dist/qjs in network namespaces, nftables in the kernel (LAN host to a foreign mail server :25 ${shown(foreign?.result)}, to the ISP relay :25 ${shown(relayed?.result)})`,
  );
  void probeNowAndThen(0);
}

process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
main().catch((error: unknown) => {
  process.stderr.write(
    `real-router: error: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  void stop(1);
});
