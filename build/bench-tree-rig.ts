// The tree bench's rig: the daemon's config, its TLS files, and how a daemon is stopped. The
// ports, device ids and the idle window the runs share live here too.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StandinDir } from '../test/openwrt-standins/standin-dir.ts';

export const PLAIN_PORT = 18840;
export const TLS_PORT = 18841;
export const DEVICE = 'bench-tree';
// The signed run's router: its retained desired state must not reach the other runs.
export const SIGNED_DEVICE = 'bench-tree-signed';
export const SETTLE_MS = 5000;
export const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 60_000);

export interface TreeBenchOptions {
  readonly dir: string;
  readonly qjs: string;
  readonly bundle: string;
  readonly line: (name: string, value: string) => void;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function makeTlsFiles(dir: string): { ca: string; cert: string; key: string } {
  const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=bench CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']); // prettier-ignore
  ssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=bench broker']); // prettier-ignore
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key',
    '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext']); // prettier-ignore
  return { ca: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

/** A daemon that takes signed desired states, and the one it finds retained on the broker. */
export interface Signed {
  readonly keyFile: string;
  readonly token: string;
}

export function config(
  dir: string,
  broker: string,
  caFile: string | null,
  standins: StandinDir | null,
  signed: Signed | null = null,
): string {
  return [
    "config policy 'policy'",
    "\toption backend 'nftables'",
    "\toption action 'reject'",
    "\tlist allow '203.0.113.25'",
    // With the ubus stand-ins the WAN device comes from netifd and the daemon follows it.
    standins ? "\tlist wan_interface 'wan'" : "\tlist wan_device 'wan'",
    '',
    "config agent 'agent'",
    `\toption device_id '${signed ? SIGNED_DEVICE : DEVICE}'`,
    signed ? `\toption verify_key_file '${signed.keyFile}'` : '',
    `\toption state_dir '${dir}/state'`,
    `\toption run_dir '${dir}/run'`,
    "\toption log_target 'procd'",
    standins ? `\toption ubus_socket '${standins.socket}'` : '',
    '',
    "config mqtt 'mqtt'",
    `\toption broker '${broker}'`,
    caFile ? `\toption ca_file '${caFile}'` : '',
    "\toption startup_delay '0'",
    '',
  ]
    .filter((l, i, all) => l !== '' || all[i - 1] !== '')
    .join('\n');
}

/** Stops `child`; SIGTERM goes to `target` (default: the child itself). */
export async function stop(child: ChildProcess, target = child.pid): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (target !== undefined) process.kill(target, 'SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
