// The options this work added to the config: policy.wan_interface and agent.log_target.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configFromUci } from '../../../agent/config/agent-config.ts';
import { parseUci } from '../../../agent/config/uci-parse.ts';
import { rejects } from '../helpers.ts';

const config = (text: string) => configFromUci(parseUci(text, '/etc/config/op25b'));

test('wan_interface: unset is null (the default applies), a list or an option, deduplicated', () => {
  assert.is(config("config policy 'policy'\n").wanInterfaces, null);
  const listed = config(
    "config policy 'policy'\n\tlist wan_interface 'wan'\n\tlist wan_interface 'wwan'\n\tlist wan_interface 'wan'\n",
  );
  assert.equal(listed.wanInterfaces, ['wan', 'wwan']);
  assert.equal(listed.warnings, []);
  assert.equal(config("config policy\n\toption wan_interface 'wan6'\n").wanInterfaces, ['wan6']);
});

test('a bad wan_interface stops the config with the value named', () => {
  rejects(
    () => config("config policy 'policy'\n\tlist wan_interface 'wan; reboot'\n"),
    'invalid_interface',
    'wan; reboot',
  );
});

test('log_target: stderr by default, syslog, anything else an error naming it', () => {
  assert.is(config("config agent 'agent'\n").agent.logTarget, 'stderr');
  const syslog = config("config agent 'agent'\n\toption log_target 'syslog'\n");
  assert.is(syslog.agent.logTarget, 'syslog');
  assert.equal(syslog.warnings, [
    'no `config policy` section: using the default policy (block on)',
  ]);
  const error = rejects(
    () => config("config agent 'agent'\n\toption log_target 'file'\n"),
    'invalid_log_target',
    'file',
  );
  assert.is(error.message, 'invalid agent.log_target "file": expected stderr, procd, syslog');
});

test.run();
