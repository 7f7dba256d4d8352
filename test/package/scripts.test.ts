// The package's shell scripts, as packaged: syntax under BusyBox ash and dash, shellcheck, and
// what each one does when run the way OpenWrt runs it: the init script against a recording set
// of procd_* functions, the uci-defaults script against the uci stand-in, the rpcd plugin as rpcd
// calls it, the maintainer scripts with and without IPKG_INSTROOT. No namespace needed.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  packaged,
  QJS,
  run,
  scratch,
  shells,
  STANDINS,
  writeExecutable,
  type RunResult,
} from './support.ts';

const test = suite('package: scripts');

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

const SYSTEM_PATH = '/usr/bin:/bin';

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

// ---- the init script ----

// rc.common sources the init script, then calls start_service (inside procd_open_service /
// procd_close_service, which calls service_triggers) or reload_service. This harness does the
// same with procd_* and the uci shell API replaced by functions that print their arguments.
const HARNESS = `#!/bin/sh
record() { printf '%s' "$1"; shift; for a in "$@"; do printf ' [%s]' "$a"; done; printf '\\n'; }
procd_open_instance() { record open_instance "$@"; }
procd_set_param() { record set_param "$@"; }
procd_close_instance() { record close_instance "$@"; }
procd_add_reload_trigger() { record reload_trigger "$@"; }
procd_add_interface_trigger() { record interface_trigger "$@"; }
procd_send_signal() { record send_signal "$@"; }
config_load() { record config_load "$@"; }
# /lib/functions.sh semantics over a fixed config: FAKE_WAN_LIST (one item a line) is the
# list wan_interface, FAKE_WAN_OPTION an option wan_interface; the callback runs in this shell.
config_list_foreach() {
	[ "$1.$2" = policy.wan_interface ] && [ -n "$FAKE_WAN_LIST" ] || return 0
	old_ifs=$IFS
	IFS='
'
	set -f
	for item in $FAKE_WAN_LIST; do
		IFS=$old_ifs
		"$3" "$item"
	done
	set +f
	IFS=$old_ifs
}
config_get() {
	case $1 in *[!A-Za-z0-9_]*) return 1 ;; esac
	if [ "$2.$3" = policy.wan_interface ]; then eval "$1=\\$FAKE_WAN_OPTION"; else eval "$1="; fi
}
. "$1"
shift
echo "START=$START USE_PROCD=$USE_PROCD"
"$@"
`;

function initScript(fn: string, env: Record<string, string> = {}): string[] {
  const dir = scratch('init');
  const harness = join(dir, 'harness.sh');
  writeExecutable(harness, HARNESS);
  const results: string[][] = [];
  for (const shell of shells()) {
    const out = run([...shell, harness, join(packaged().root, 'etc/init.d/op25b'), fn], {
      env: { PATH: SYSTEM_PATH, ...env },
      cwd: dir,
    });
    assert.is(out.code, 0, `${shell.join(' ')}: ${out.stderr}`);
    assert.is(out.stderr, '', `${shell.join(' ')}`);
    results.push(out.stdout.split('\n').filter(Boolean));
  }
  for (const r of results.slice(1)) assert.equal(r, results[0], 'the same under every shell');
  return results[0]!;
}

test('init script: START after network (15) and firewall (19), procd', () => {
  const [header] = initScript('true');
  assert.is(header, 'START=95 USE_PROCD=1');
});

test('init script: start_service runs the daemon under procd with respawn and syslog', () => {
  const calls = initScript('start_service').slice(1);
  assert.equal(calls, [
    'open_instance',
    'set_param [command] [/usr/sbin/op25b] [run] [--config] [/etc/config/op25b]',
    'set_param [file] [/usr/share/op25b/op25b-agent.js]',
    'set_param [respawn]',
    'set_param [stdout] [1]',
    'set_param [stderr] [1]',
    'close_instance',
  ]);
  const { root } = packaged();
  assert.ok(existsSync(join(root, 'usr/sbin/op25b')), 'the command is in the package');
  assert.ok(existsSync(join(root, 'usr/share/op25b/op25b-agent.js')));
});

test('init script: reload on config change, on each WAN interface event; reload is SIGHUP', () => {
  const listed = initScript('service_triggers', { FAKE_WAN_LIST: 'wan\nwanb' }).slice(1);
  assert.equal(listed, [
    'reload_trigger [op25b]',
    'config_load [op25b]',
    'interface_trigger [interface.*] [wan] [/etc/init.d/op25b] [reload]',
    'interface_trigger [interface.*] [wanb] [/etc/init.d/op25b] [reload]',
  ]);
  const single = initScript('service_triggers', { FAKE_WAN_OPTION: 'lte' }).slice(3);
  assert.equal(single, ['interface_trigger [interface.*] [lte] [/etc/init.d/op25b] [reload]']);
  // None configured: the agent follows wan and wan6, so do the triggers.
  const defaults = initScript('service_triggers').slice(3);
  assert.equal(defaults, [
    'interface_trigger [interface.*] [wan] [/etc/init.d/op25b] [reload]',
    'interface_trigger [interface.*] [wan6] [/etc/init.d/op25b] [reload]',
  ]);
  assert.equal(initScript('reload_service').slice(1), ['send_signal [op25b] [*] [HUP]']);
});

test('init script: a hostile interface name is passed on as one argument, never run', () => {
  const hostile = `x y'"$(touch PWNED)\`touch PWNED2\`;*`;
  const dir = scratch('hostile');
  const calls = initScript('service_triggers', { FAKE_WAN_LIST: hostile }).slice(3);
  assert.equal(calls, [
    `interface_trigger [interface.*] [${hostile}] [/etc/init.d/op25b] [reload]`,
  ]);
  assert.not.ok(existsSync(join(dir, 'PWNED')) || existsSync(join(dir, 'PWNED2')));
});

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

const FIREWALL = `
config defaults
	option input 'REJECT'
	option forward 'REJECT'

config zone 'wan'
	option name 'wan'
	list network 'wan'
`;

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

// ---- the rpcd plugin ----

function plugin(args: string[], env: NodeJS.ProcessEnv): RunResult {
  // rpcd: `list` with nothing on stdin; `call <method>` with compact JSON, no newline, then EOF.
  return run([join(packaged().root, 'usr/libexec/rpcd/op25b'), ...args], {
    env,
    input: args[0] === 'call' ? '{}' : '',
  });
}

/** A PATH whose op25b prints `stdout`/`stderr` and exits with `code`, for the plugin alone. */
function fakeAgent(stdout: string, stderr: string, code: number): NodeJS.ProcessEnv {
  const dir = scratch('fake');
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'out'), stdout);
  writeFileSync(join(dir, 'err'), stderr);
  // json-string goes to the packaged agent: the plugin has the agent encode its JSON text.
  symlinkSync(QJS, join(dir, 'bin', 'qjs'));
  const agent = join(packaged().root, 'usr', 'sbin', 'op25b');
  writeExecutable(
    join(dir, 'bin', 'op25b'),
    `#!/bin/sh\n[ "$1" = json-string ] && exec '${agent}' "$@"\n` +
      `echo "$*" >> '${dir}/args'\ncat '${dir}/out'\ncat '${dir}/err' >&2\nexit ${code}\n`,
  );
  return {
    PATH: `${join(dir, 'bin')}:${STANDINS}:${SYSTEM_PATH}`,
    OP25B_STANDIN_DIR: dir,
    FAKE_DIR: dir,
  };
}

function jsonObject(text: string): Record<string, unknown> {
  const value = JSON.parse(text) as unknown;
  assert.type(value, 'object');
  assert.ok(value !== null && !Array.isArray(value), 'a JSON object, as rpcd requires');
  return value as Record<string, unknown>;
}

test('rpcd plugin: list names status and reapply, without arguments', () => {
  const out = plugin(['list'], fakeAgent('', '', 0));
  assert.is(out.code, 0);
  assert.equal(jsonObject(out.stdout), { status: {}, reapply: {} });
});

test('rpcd plugin: status passes the agent status document through', () => {
  const document = JSON.stringify({ policy: { enabled: true }, enforcement: { applied: true } });
  const env = fakeAgent(`${document}\n`, 'op25b: warn: something\n', 0);
  const out = plugin(['call', 'status'], env);
  assert.equal(jsonObject(out.stdout), JSON.parse(document));
  assert.is(readFileSync(join(env.FAKE_DIR!, 'args'), 'utf8'), 'status\n');
});

test('rpcd plugin: a failure is an error object, whatever the message holds', () => {
  const nasty = `op25b: error: cannot read "x\\y"\n\tbad\u0001\u00e9\u201c $(id) \`id\`\n`;
  const out = plugin(['call', 'status'], fakeAgent('', nasty, 2));
  const object = jsonObject(out.stdout) as { error: { exit_code: number; message: string } };
  assert.is(object.error.exit_code, 2);
  // Exactly the text (the shell drops the last newline): UTF-8 kept, controls escaped.
  assert.is(object.error.message, nasty.slice(0, -1));
  assert.match(out.stdout, /\\u0001\\u00e9|\\u0001é/, 'a control character is escaped');
  // 2000 characters at most, counted as characters, not bytes.
  const long = `${'é'.repeat(2500)}\n`;
  const cut = jsonObject(plugin(['call', 'status'], fakeAgent('', long, 1)).stdout) as {
    error: { message: string };
  };
  assert.is(cut.error.message, 'é'.repeat(2000));
  assert.equal(jsonObject(plugin(['call', 'frobnicate'], fakeAgent('', '', 0)).stdout), {
    error: { exit_code: 2, message: 'unknown method' },
  });
  const usage = run([join(packaged().root, 'usr/libexec/rpcd/op25b')], {
    env: { PATH: SYSTEM_PATH },
  });
  assert.is(usage.code, 1);
  assert.match(usage.stderr, /usage: /);
});

test('rpcd plugin: reapply signals the daemon through procd, then applies', () => {
  const env = fakeAgent('applied (nftables): block on (config)\n', '', 0);
  const dir = env.FAKE_DIR!;
  mkdirSync(join(dir, 'ubus'));
  writeFileSync(join(dir, 'ubus', 'service~signal.json'), '{}');
  const out = plugin(['call', 'reapply'], env);
  assert.equal(jsonObject(out.stdout), {
    applied: true,
    exit_code: 0,
    daemon_reloaded: true,
    message: 'applied (nftables): block on (config)',
  });
  assert.is(
    readFileSync(join(dir, 'ubus', 'calls.log'), 'utf8'),
    'service signal {"name":"op25b","signal":1}\n',
  );
  assert.is(readFileSync(join(dir, 'args'), 'utf8'), 'apply --force\n');

  // No daemon registered with procd (ubus: not found), and an apply that fails.
  const failing = fakeAgent('', 'op25b: error: nft: No such file or directory\n', 1);
  const second = jsonObject(plugin(['call', 'reapply'], failing).stdout);
  assert.equal(second, {
    applied: false,
    exit_code: 1,
    daemon_reloaded: false,
    message: 'op25b: error: nft: No such file or directory',
  });
});

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
