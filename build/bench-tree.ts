// The daemon's whole process tree for `npm run bench`, idle and connected, over plain MQTT and
// over TLS, with the shipped settings (log_target procd, the default check and report
// intervals): the processes, their summed RSS and PSS (/proc/<pid>/smaps_rollup), the CPU they use
// over a 60 s idle window, and the programs they start in it. The daemon runs as process 1 of its
// own pid namespace (`unshare --pid --fork`), so the pids that namespace hands out count every
// program started in the tree, however short-lived. Runs inside the bench's network namespace,
// with an fw4-sized ruleset beside the agent's table (bench-fw4-ruleset.ts). A TLS run with a
// verify key, after a signed desired state, reports memory only (the verifier's tables).
// A last run follows the WAN interface through ubus (the Node stand-ins of test/openwrt-standins)
// and counts the ubus programs the idle daemon starts (its liveness watch of ubusd).
//
// The parts: bench-tree-rig.ts (config, TLS files, stopping), bench-tree-mqtt.ts (the ISP side),
// bench-tree-measure.ts (a plain/TLS run), bench-tree-ubus.ts (the ubus run),
// bench-tree-targets.ts (the targets the lines are judged against).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FW4_DEFAULT_RULESET } from './bench-fw4-ruleset.ts';
import { measure } from './bench-tree-measure.ts';
import { signedSetting } from './bench-tree-mqtt.ts';
import {
  makeTlsFiles,
  PLAIN_PORT,
  sleep,
  stop,
  TLS_PORT,
  type TreeBenchOptions,
} from './bench-tree-rig.ts';
import { TARGET } from './bench-tree-targets.ts';
import { measureUbus } from './bench-tree-ubus.ts';
import { peakRssKb } from './peak-rss.ts';

export type { TreeBenchOptions } from './bench-tree-rig.ts';

/** What the tree's three programs cost before any work: each started and ended doing nothing
 * (peak RSS), against the RSS target. Shared libraries count once per process in the sum. */
function floor({ qjs, line }: TreeBenchOptions): void {
  const programs: [string, string[]][] = [
    ['qjs -q', [qjs, '-q']],
    ['nft --version', ['nft', '--version']],
    ['openssl version', ['openssl', 'version']],
  ];
  const kb = programs.map(([, argv]) => peakRssKb(argv));
  const each = programs.map(([name], i) => `${name} ${kb[i]}`).join(', ');
  const total = kb.reduce((a, b) => a + b, 0);
  line(
    'tree floor: peak RSS of its programs doing nothing',
    `${total} KB (${each}; RSS target ${TARGET.rssKb} KB)`,
  );
}

export async function treeBench(options: TreeBenchOptions): Promise<void> {
  execFileSync('ip', ['link', 'set', 'lo', 'up']); // a fresh namespace's loopback is down
  floor(options);
  // A router's ruleset beside the agent's table: `nft monitor` caches all of it.
  execFileSync('nft', ['-f', '-'], { input: FW4_DEFAULT_RULESET });
  const tlsDir = join(options.dir, 'tree-tls-files');
  mkdirSync(tlsDir, { recursive: true });
  const tls = makeTlsFiles(tlsDir);
  const brokerConf = join(options.dir, 'tree-mosquitto.conf');
  writeFileSync(
    brokerConf,
    [
      'per_listener_settings false',
      'allow_anonymous true',
      'persistence false',
      'user root',
      `listener ${PLAIN_PORT} 127.0.0.1`,
      `listener ${TLS_PORT} 127.0.0.1`,
      `cafile ${tls.ca}`,
      `certfile ${tls.cert}`,
      `keyfile ${tls.key}`,
      '',
    ].join('\n'),
  );
  const broker = spawn('mosquitto', ['-c', brokerConf], { stdio: 'ignore' });
  try {
    await sleep(300);
    await measure(options, 'plain', `mqtt://127.0.0.1:${PLAIN_PORT}`, null);
    await measure(options, 'TLS', `mqtts://127.0.0.1:${TLS_PORT}`, tls.ca);
    const signed = await signedSetting(options.dir);
    await measure(options, 'TLS, signed', `mqtts://127.0.0.1:${TLS_PORT}`, tls.ca, signed);
    await measureUbus(options);
  } finally {
    await stop(broker);
    execFileSync('nft', ['delete', 'table', 'inet', 'fw4']);
  }
}
