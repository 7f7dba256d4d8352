// Shared pieces of the package tests: the .ipk built once per process and unpacked the way opkg
// would unpack it, tar listings, shell runners, and a PATH that makes the packaged scripts find
// the agent (dist/qjs running the unpacked bundle) and the OpenWrt stand-ins.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIpk, REPO_ROOT, type BuiltPackage } from '../../build/package-ipk.ts';

export const QJS = join(REPO_ROOT, 'dist', 'qjs');
export const BUNDLE = join(REPO_ROOT, 'dist', 'op25b-agent.js');
export const PACKAGE_FILES = join(REPO_ROOT, 'openwrt', 'op25b-agent', 'files');
export const STANDINS = join(REPO_ROOT, 'test', 'openwrt-standins', 'bin');
/** A fixed mtime, so that two builds can be compared byte for byte. */
export const EPOCH = 1_700_000_000;

const scratchDirs: string[] = [];
process.on('exit', () => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory removed when the process exits. */
export function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `op25b-pkg-${prefix}-`));
  scratchDirs.push(dir);
  return dir;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/** Runs argv to completion (never through a shell of ours); code 128+n on signal n. */
export function run(argv: readonly string[], options: RunOptions = {}): RunResult {
  const result = spawnSync(argv[0]!, argv.slice(1), {
    input: options.input ?? '',
    env: options.env ?? process.env,
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 20_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return {
    code: result.status ?? 128 + (result.signal === 'SIGKILL' ? 9 : 15),
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

export function runOk(argv: readonly string[], options: RunOptions = {}): string {
  const result = run(argv, options);
  if (result.code !== 0)
    throw new Error(`${argv.join(' ')} exited ${result.code}: ${result.stderr || result.stdout}`);
  return result.stdout;
}

export function checkBuilt(): void {
  for (const file of [QJS, BUNDLE])
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
}

/** One entry of `tar -tv --numeric-owner --full-time`. */
export interface TarEntry {
  readonly mode: string;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: string;
  readonly name: string;
}

export function listTar(archive: string): TarEntry[] {
  const out = runOk(['tar', '-tvz', '--numeric-owner', '--full-time', '-f', archive], {
    env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' },
  });
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^(\S+) (\d+)\/(\d+)\s+(\d+) (\S+ \S+) (.+)$/.exec(line);
      if (!m) throw new Error(`cannot read tar listing line: ${line}`);
      return {
        mode: m[1]!,
        uid: Number(m[2]),
        gid: Number(m[3]),
        size: Number(m[4]),
        mtime: m[5]!,
        name: m[6]!,
      };
    });
}

export interface Unpacked {
  readonly built: BuiltPackage;
  /** The outer archive's members: debian-binary, data.tar.gz, control.tar.gz. */
  readonly outer: string;
  /** data.tar.gz unpacked: the router's filesystem as the package leaves it. */
  readonly root: string;
  /** control.tar.gz unpacked. */
  readonly control: string;
}

let unpacked: Unpacked | null = null;

/** The package, built once per process with a fixed mtime and unpacked (as root: owners kept). */
export function packaged(): Unpacked {
  if (unpacked) return unpacked;
  checkBuilt();
  const dir = scratch('ipk');
  const built = buildIpk({ outDir: join(dir, 'out'), epoch: EPOCH });
  const outer = join(dir, 'outer');
  const root = join(dir, 'root');
  const control = join(dir, 'control');
  for (const d of [outer, root, control]) mkdirSync(d);
  runOk(['tar', '-xzf', built.path, '-C', outer]);
  runOk(['tar', '-xzf', join(outer, 'data.tar.gz'), '-C', root]);
  runOk(['tar', '-xzf', join(outer, 'control.tar.gz'), '-C', control]);
  unpacked = { built, outer, root, control };
  return unpacked;
}

/** Shells to check scripts with: BusyBox ash (OpenWrt's /bin/sh) and dash, where installed. */
export function shells(): string[][] {
  const found: string[][] = [];
  if (run(['sh', '-c', 'command -v busybox']).code === 0) found.push(['busybox', 'sh']);
  if (run(['sh', '-c', 'command -v dash']).code === 0) found.push(['dash']);
  if (found.length === 0) found.push(['sh']);
  return found;
}

export function writeExecutable(path: string, text: string): void {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

export interface AgentPath {
  /** The directory put first on PATH: qjs, op25b, and optionally a stand-in fw4. */
  readonly bin: string;
  readonly env: NodeJS.ProcessEnv;
}

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * A PATH on which `op25b` is the packaged wrapper (from the unpacked tree, running the packaged
 * bundle under dist/qjs) called with `--config <config>`, and `ubus`, `uci`, `logger` are the
 * OpenWrt stand-ins reading `standinDir`. With `fw4`, a `fw4` that only exists (the agent's
 * backend choice looks for it; nothing may run it).
 */
export function agentPath(options: {
  readonly config: string;
  readonly standinDir: string;
  readonly fw4?: boolean;
}): AgentPath {
  const { root } = packaged();
  const bin = scratch('bin');
  symlinkSync(QJS, join(bin, 'qjs'));
  writeExecutable(
    join(bin, 'op25b'),
    `#!/bin/sh\nexec '${join(root, 'usr', 'sbin', 'op25b')}' "$@" --config '${options.config}'\n`,
  );
  if (options.fw4)
    writeExecutable(
      join(bin, 'fw4'),
      '#!/bin/sh\necho "fw4 stand-in: must not run" >&2\nexit 99\n',
    );
  return {
    bin,
    env: {
      PATH: `${bin}:${STANDINS}:${SYSTEM_PATH}`,
      OP25B_STANDIN_DIR: options.standinDir,
      LC_ALL: 'C',
      HOME: '/root',
    },
  };
}

/** The shipped /etc/config/op25b with lines added at the end of its `config policy` section. */
export function shippedConfigWith(policyLines: readonly string[]): string {
  const text = readFileSync(join(packaged().root, 'etc', 'config', 'op25b'), 'utf8');
  const at = text.indexOf("\nconfig agent 'agent'");
  if (at < 0) throw new Error('shipped config: no agent section');
  return `${text.slice(0, at)}\n${policyLines.map((l) => `\t${l}\n`).join('')}${text.slice(at)}`;
}
