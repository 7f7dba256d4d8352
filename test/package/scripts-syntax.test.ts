// The package's shell scripts, as packaged: syntax under BusyBox ash and dash, shellcheck, no
// eval, and a valid rpcd ACL. No namespace needed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { packaged, run, shells } from './support.ts';

const test = suite('package: scripts: syntax');

const DATA_SCRIPTS = [
  'usr/sbin/op25b',
  'etc/init.d/op25b',
  'etc/uci-defaults/90-op25b-firewall',
  'usr/libexec/rpcd/op25b',
  'usr/share/op25b/firewall.include',
];
const CONTROL_SCRIPTS = ['postinst', 'postinst-pkg', 'prerm', 'prerm-pkg', 'postrm'];

function allScripts(): string[] {
  const { root, control } = packaged();
  return [
    ...DATA_SCRIPTS.map((p) => join(root, p)),
    ...CONTROL_SCRIPTS.map((p) => join(control, p)),
  ];
}

test('every shell script parses under BusyBox ash and dash (sh -n)', () => {
  const used = shells();
  assert.ok(used.length > 0);
  for (const shell of used)
    for (const script of allScripts()) {
      const out = run([...shell, '-n', script]);
      assert.is(out.code, 0, `${shell.join(' ')} -n ${script}: ${out.stderr}`);
    }
});

test('every shell script passes shellcheck (POSIX sh, all severities)', () => {
  const out = run(['shellcheck', '-s', 'sh', '-f', 'gcc', ...allScripts()]);
  assert.is(out.code, 0, out.stdout + out.stderr);
});

test('no script uses eval, and the rpcd ACL is valid JSON', () => {
  for (const script of allScripts())
    assert.not.match(readFileSync(script, 'utf8'), /(^|[;&|\s])eval\s/m, script);
  const acl = JSON.parse(
    readFileSync(join(packaged().root, 'usr/share/rpcd/acl.d/op25b.json'), 'utf8'),
  ) as Record<string, { read: unknown; write: unknown }>;
  assert.equal(acl.op25b?.read, { ubus: { op25b: ['status'] } });
  assert.equal(acl.op25b?.write, { ubus: { op25b: ['reapply'] } });
});

test.run();
