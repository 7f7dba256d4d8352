// The uci-defaults script as default_postinst runs it, against the uci stand-in: the firewall
// include for fw4 and fw3, added once.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FIREWALL, SYSTEM_PATH } from './script-env.ts';
import { packaged, run, scratch, STANDINS, writeExecutable, type RunResult } from './support.ts';

const test = suite('package: scripts: uci-defaults');

// ---- uci-defaults ----

function uciEnv(dir: string, fw4: boolean): NodeJS.ProcessEnv {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  if (fw4) writeExecutable(join(bin, 'fw4'), '#!/bin/sh\nexit 99\n');
  return { PATH: `${bin}:${STANDINS}:${SYSTEM_PATH}`, OP25B_STANDIN_DIR: dir };
}

/** Runs the uci-defaults script the way default_postinst does: sourced from its directory. */
function uciDefaults(env: NodeJS.ProcessEnv): RunResult {
  const dir = join(packaged().root, 'etc/uci-defaults');
  return run(['sh', '-c', 'cd "$1" && . ./90-op25b-firewall', 'sh', dir], { env });
}

function uciShow(env: NodeJS.ProcessEnv, what: string): string {
  return run(['uci', 'show', what], { env }).stdout;
}

test('uci-defaults (fw4): adds the include once, idempotent, keeps enabled 0', () => {
  const dir = scratch('uci-fw4');
  mkdirSync(join(dir, 'config'));
  writeFileSync(join(dir, 'config/firewall'), FIREWALL);
  const env = uciEnv(dir, true);
  assert.is(uciDefaults(env).code, 0);
  const first = readFileSync(join(dir, 'config/firewall'), 'utf8');
  assert.is(
    uciShow(env, 'firewall.op25b'),
    "firewall.op25b=include\nfirewall.op25b.type='script'\n" +
      "firewall.op25b.path='/usr/share/op25b/firewall.include'\nfirewall.op25b.fw4_compatible='1'\n",
  );
  assert.ok(existsSync(join(packaged().root, 'usr/share/op25b/firewall.include')));
  assert.is(uciDefaults(env).code, 0);
  assert.is(readFileSync(join(dir, 'config/firewall'), 'utf8'), first, 'second run: no change');
  assert.is(uciShow(env, 'firewall').match(/=include$/gm)?.length, 1);

  run(['uci', 'set', 'firewall.op25b.enabled=0'], { env });
  run(['uci', 'commit', 'firewall'], { env });
  assert.is(uciDefaults(env).code, 0);
  assert.match(uciShow(env, 'firewall.op25b'), /firewall\.op25b\.enabled='0'/);
});

test('uci-defaults (fw3): reload 1 and no fw4_compatible; nothing without a firewall config', () => {
  const dir = scratch('uci-fw3');
  mkdirSync(join(dir, 'config'));
  writeFileSync(join(dir, 'config/firewall'), FIREWALL);
  assert.is(uciDefaults(uciEnv(dir, true)).code, 0);
  const env = uciEnv(join(dir, 'fw3'), false);
  env.OP25B_STANDIN_DIR = dir; // same config, no fw4 on PATH this time: fw3
  assert.is(uciDefaults(env).code, 0);
  assert.is(
    uciShow(env, 'firewall.op25b'),
    "firewall.op25b=include\nfirewall.op25b.type='script'\n" +
      "firewall.op25b.path='/usr/share/op25b/firewall.include'\nfirewall.op25b.reload='1'\n",
  );

  const none = scratch('uci-none');
  mkdirSync(join(none, 'config'));
  assert.is(uciDefaults(uciEnv(none, true)).code, 0);
  assert.not.ok(existsSync(join(none, 'config/firewall')));
});

test.run();
