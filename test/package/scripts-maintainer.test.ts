// The maintainer scripts with and without IPKG_INSTROOT: nothing while an image is built, the
// firewall include taken out by prerm on a live router.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FIREWALL, SYSTEM_PATH } from './script-env.ts';
import { packaged, run, scratch, STANDINS } from './support.ts';

const test = suite('package: scripts: maintainer scripts');

// ---- maintainer scripts ----

test('maintainer scripts do nothing while an image is built (IPKG_INSTROOT set)', () => {
  const { control } = packaged();
  const dir = scratch('instroot');
  mkdirSync(join(dir, 'config'));
  writeFileSync(join(dir, 'config/firewall'), "config include 'op25b'\n\toption type 'script'\n");
  for (const script of ['postinst-pkg', 'prerm-pkg', 'postrm']) {
    const text = readFileSync(join(control, script), 'utf8');
    assert.match(text, /\[ -z "\$\{IPKG_INSTROOT\}" \]/, `${script} checks IPKG_INSTROOT`);
    const out = run(['sh', join(control, script)], {
      env: { PATH: `${STANDINS}:${SYSTEM_PATH}`, OP25B_STANDIN_DIR: dir, IPKG_INSTROOT: dir },
    });
    assert.is(out.code, 0, `${script}: ${out.stderr}`);
    assert.is(out.stdout + out.stderr, '', script);
  }
  assert.not.ok(existsSync(join(dir, 'uci-save')), 'uci was not touched');
  assert.match(readFileSync(join(dir, 'config/firewall'), 'utf8'), /include 'op25b'/);
  assert.not.match(readFileSync(join(control, 'prerm-pkg'), 'utf8'), /^\s*exit\b/m, 'no exit');
});

test('prerm on a live router takes the include out of the firewall config', () => {
  // It also runs /etc/init.d/op25b and /usr/sbin/op25b: only where this machine has neither.
  if (existsSync('/etc/init.d/op25b') || existsSync('/usr/sbin/op25b')) return;
  const dir = scratch('prerm');
  mkdirSync(join(dir, 'config'));
  writeFileSync(
    join(dir, 'config/firewall'),
    `${FIREWALL}\nconfig include 'op25b'\n\toption type 'script'\n\toption path '/usr/share/op25b/firewall.include'\n`,
  );
  const out = run(['sh', join(packaged().control, 'prerm-pkg')], {
    env: { PATH: `${STANDINS}:${SYSTEM_PATH}`, OP25B_STANDIN_DIR: dir },
  });
  assert.is(out.code, 0, out.stderr);
  const after = readFileSync(join(dir, 'config/firewall'), 'utf8');
  assert.not.match(after, /op25b/);
  assert.match(after, /config zone 'wan'/);
});

test.run();
