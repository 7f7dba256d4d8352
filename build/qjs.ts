// Builds the host `qjs` that tests and benchmarks run the bundle under.
//
// QuickJS 2021-03-27 is the oldest QuickJS the agent supports (code that runs there runs on the
// 2025 releases OpenWrt packages). Its sources ship inside the npm package qjsc@0.3.0; we fetch
// that tarball with `npm pack` (which never runs the package's own install script, a Node addon
// build), check it against a pinned hash, and build only `qjs`. The result is cached in .cache/.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';

const PACKAGE = 'qjsc@0.3.0';
const TARBALL = 'qjsc-0.3.0.tgz';
const TARBALL_SHA512 =
  '6bbf9c53afc855c65b21e8df7ddb7fc1954c5fa2cbd8c0cbdc743d65be469b6dc6f43bc1312ff3f461c5c73dfd6c0be9d8fbcc38cfb2a52380ca892dd83759db';
const SOURCE_DIR = 'package/deps/quickjs_2021_03_27';

const root = new URL('..', import.meta.url).pathname;
const cache = join(root, '.cache', 'qjs-2021-03-27');
const built = join(cache, SOURCE_DIR, 'qjs');
const target = join(root, 'dist', 'qjs');

function log(message: string): void {
  process.stderr.write(`build/qjs: ${message}\n`);
}

function fetchSources(): void {
  mkdirSync(cache, { recursive: true });
  const tarball = join(cache, TARBALL);
  if (!existsSync(tarball)) {
    log(`fetching ${PACKAGE} with npm pack`);
    execFileSync('npm', ['pack', PACKAGE, '--pack-destination', cache, '--silent'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const digest = createHash('sha512').update(readFileSync(tarball)).digest('hex');
  if (digest !== TARBALL_SHA512) {
    rmSync(tarball);
    throw new Error(`${TARBALL}: sha512 mismatch (got ${digest.slice(0, 16)}...)`);
  }
  execFileSync('tar', ['-xzf', tarball, '-C', cache, SOURCE_DIR]);
}

function compile(): void {
  const dir = join(cache, SOURCE_DIR);
  if (!existsSync(join(dir, 'quickjs.c'))) fetchSources();
  log('compiling qjs (about 25 s)');
  // No LTO: the host binary only runs tests; -O2 builds in half the time.
  execFileSync('make', ['-C', dir, '-j2', 'qjs', 'CONFIG_LTO='], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

if (!existsSync(built)) compile();
mkdirSync(join(root, 'dist'), { recursive: true });
// Copy beside the target, then rename: a dist/qjs that is running (ETXTBSY) is replaced, not
// written into; and an identical one is left alone.
if (!existsSync(target) || !readFileSync(target).equals(readFileSync(built))) {
  const tmp = `${target}.tmp-${process.pid}`;
  copyFileSync(built, tmp);
  chmodSync(tmp, 0o755);
  renameSync(tmp, target);
}
const version = readFileSync(join(cache, SOURCE_DIR, 'VERSION'), 'utf8').trim();
log(`dist/qjs ready (QuickJS ${version})`);
