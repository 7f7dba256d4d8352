// The init script as rc.common runs it, against a recording set of procd_* functions and the
// uci shell API: START, the procd instance, the reload triggers, hostile interface names.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SYSTEM_PATH } from './script-env.ts';
import { packaged, run, scratch, shells, writeExecutable } from './support.ts';

const test = suite('package: scripts: init script');

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

test.run();
