// The tree run that follows the WAN interface through ubus (the Node stand-ins): it counts the
// ubus programs the idle daemon starts, the cost of its liveness watch of ubusd.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createStandinDir, type StandinDir } from '../test/openwrt-standins/standin-dir.ts';
import { waitOnline } from './bench-tree-mqtt.ts';
import {
  config,
  IDLE_MS,
  PLAIN_PORT,
  SETTLE_MS,
  sleep,
  stop,
  type TreeBenchOptions,
} from './bench-tree-rig.ts';
import { CLOCK_TICKS, namesIn, read, statFields, taskIds, treeOf } from './proc-tree.ts';

/** What the ubus stand-ins were asked while idle: `ubus send`s (the liveness echo) and calls. */
export function ubusRequests(standins: StandinDir): number {
  const events = read(join(standins.path, 'ubus', 'events')) ?? '';
  return (
    events.split('\n').filter((l) => l.includes('"op25b.alive"')).length + standins.calls().length
  );
}

/** The daemon following its WAN interface through ubus (the Node stand-ins, so only the ubus
 * programs it starts are counted, not memory or CPU): what the liveness watch costs. */
export async function measureUbus({ dir, qjs, bundle, line }: TreeBenchOptions): Promise<void> {
  const standins = createStandinDir();
  standins.setInterface('wan', { up: true, proto: 'dhcp', device: 'wan', l3_device: 'wan' });
  const home = join(dir, 'tree-ubus');
  mkdirSync(join(home, 'state'), { recursive: true });
  const configPath = join(home, 'op25b.uci');
  writeFileSync(configPath, config(home, `mqtt://127.0.0.1:${PLAIN_PORT}`, null, standins));
  const wrapper = spawn(
    'unshare',
    ['--pid', '--fork', '--', qjs, bundle, 'run', '--config', configPath],
    { stdio: ['ignore', 'ignore', 'pipe'], env: standins.env() },
  );
  let stderr = '';
  wrapper.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await waitOnline(PLAIN_PORT);
    // The stand-in registers under its pid in the daemon's pid namespace, which
    // waitForListeners() cannot see from here: wait for the registration file.
    const registered = join(standins.path, 'ubus', 'listeners');
    for (const deadline = Date.now() + 15_000; namesIn(registered).length === 0;) {
      if (Date.now() > deadline) throw new Error('no ubus listener registered');
      await sleep(50);
    }
    await sleep(SETTLE_MS);
    const daemon = treeOf(wrapper.pid!)[1]!;
    // The daemon's own threads and the children it reaped (the `ubus send`s, were there any):
    // not the stand-in listener, a Node process that would not be on a router.
    const ownCpuNs = () => {
      let ns = 0;
      for (const tid of taskIds(daemon))
        ns += Number((read(`/proc/${daemon}/task/${tid}/schedstat`) ?? '0').split(' ')[0]);
      const f = statFields(daemon);
      return ns + ((Number(f[13]) + Number(f[14])) * 1e9) / CLOCK_TICKS;
    };
    const before = ubusRequests(standins);
    const cpuBefore = ownCpuNs();
    const start = performance.now();
    await sleep(IDLE_MS);
    const count = ubusRequests(standins) - before;
    const cpu = ownCpuNs() - cpuBefore;
    const elapsedMs = performance.now() - start;
    const perHour = Math.round((count * 3_600_000) / elapsedMs);
    line(
      'tree, following WAN through ubus: ubus programs started while idle',
      `${count} in ${IDLE_MS / 1000} s (${perHour} per hour; plus the hourly echo)`,
    );
    line(
      `tree, following WAN through ubus: idle CPU of the daemon over ${IDLE_MS / 1000} s`,
      `${((cpu / 1e6 / elapsedMs) * 100).toFixed(4)} % of a core (${(cpu / 1e6).toFixed(1)} ms)`,
    );
  } catch (error) {
    process.stderr.write(`daemon stderr:\n${stderr}`);
    throw error;
  } finally {
    await stop(wrapper, treeOf(wrapper.pid!)[1]);
    standins.remove();
  }
}
