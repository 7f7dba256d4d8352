import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configFromUci, DEFAULT_CONFIG_PATH } from '../../../agent/config/agent-config.ts';
import { parseUci } from '../../../agent/config/uci-parse.ts';
import { formatPrefix } from '../../../agent/policy/address.ts';
import { inputError, rejects } from '../helpers.ts';

function config(text: string) {
  return configFromUci(parseUci(text, '/etc/config/op25b'));
}

test('the default config path is /etc/config/op25b', () => {
  assert.is(DEFAULT_CONFIG_PATH, '/etc/config/op25b');
});

test('reads a full policy from a uci export', () => {
  const result = config(
    [
      'package op25b',
      '',
      "config policy 'policy'",
      "\toption enabled '1'",
      "\toption action 'reject'",
      "\tlist port '587'",
      "\tlist port '25'",
      "\tlist allow '203.0.113.25'",
      "\tlist allow '2001:db8::25'",
      "\tlist wan_device 'wan6'",
      "\tlist wan_device 'wan'",
      "\tlist family 'ipv4'",
      "\toption backend 'iptables'",
      "\toption iptables_variant 'legacy'",
      '',
    ].join('\n'),
  );
  assert.equal(result.warnings, []);
  assert.equal(result.firewall, { backend: 'iptables', iptablesVariant: 'legacy' });
  const { policy } = result;
  assert.is(policy.enabled, true);
  assert.is(policy.action, 'reject');
  assert.equal(policy.ports, [25, 587]);
  assert.equal(policy.allow.map(formatPrefix), ['203.0.113.25', '2001:db8::25']);
  assert.equal(policy.wanDevices, ['wan', 'wan6']);
  assert.equal(policy.families, ['ipv4']);
});

test('options stand in for one-element lists (port, allow, wan_device, family)', () => {
  const { policy } = config(
    [
      'config policy',
      "\toption port '465'",
      "\toption allow '198.51.100.0/24'",
      "\toption wan_device 'pppoe-wan'",
      "\toption family 'ipv6'",
    ].join('\n'),
  );
  assert.equal(policy.ports, [465]);
  assert.equal(policy.allow.map(formatPrefix), ['198.51.100.0/24']);
  assert.equal(policy.wanDevices, ['pppoe-wan']);
  assert.equal(policy.families, ['ipv6']);
});

test('an empty policy section gives the defaults and no warning', () => {
  const result = config("config policy 'policy'\n");
  assert.equal(result.warnings, []);
  assert.equal(result.firewall, { backend: 'auto', iptablesVariant: 'auto' });
  assert.equal(result.policy, {
    enabled: true,
    action: 'drop',
    ports: [25],
    allow: [],
    wanDevices: [],
    families: ['ipv4', 'ipv6'],
  });
});

test('a missing policy section gives the default policy (block on) plus a warning', () => {
  for (const text of ['', '# empty\n', "package op25b\n\nconfig other 'x'\n\toption y '1'\n"]) {
    const result = config(text);
    assert.equal(result.warnings, [
      'no `config policy` section: using the default policy (block on)',
    ]);
    assert.is(result.policy.enabled, true);
    assert.equal(result.policy.ports, [25]);
    assert.equal(result.firewall, { backend: 'auto', iptablesVariant: 'auto' });
  }
});

test('a section named "policy" wins over an earlier anonymous one', () => {
  const result = config(
    [
      'config policy',
      "\toption action 'reject'",
      "config policy 'policy'",
      "\toption action 'drop'",
      "\toption enabled '0'",
    ].join('\n'),
  );
  assert.is(result.policy.action, 'drop');
  assert.is(result.policy.enabled, false);
});

test('without a section named "policy" the first anonymous policy section counts', () => {
  const result = config(
    ['config policy', "\toption action 'reject'", 'config policy', "\toption action 'drop'"].join(
      '\n',
    ),
  );
  assert.is(result.policy.action, 'reject');
});

test('unknown options give a warning each and are otherwise ignored', () => {
  const result = config(
    [
      "config policy 'policy'",
      "\toption enabled '1'",
      "\toption prots '587'",
      "\tlist relay '203.0.113.25'",
      "\toption wan_devices 'wan'",
    ].join('\n'),
  );
  assert.equal(result.warnings, [
    'unknown option policy.prots ignored',
    'unknown option policy.relay ignored',
    'unknown option policy.wan_devices ignored',
  ]);
  assert.equal(result.policy.ports, [25]);
  assert.equal(result.policy.allow, []);
  assert.equal(result.policy.wanDevices, []);
});

test('known options of the agent and mqtt sections give no warnings; unknown ones do', () => {
  const result = config(
    [
      "config policy 'policy'",
      "config agent 'agent'",
      "\toption device_id 'cpe-0001'",
      "\toption colour 'blue'",
      "config mqtt 'mqtt'",
      "\toption broker 'mqtts://broker.example:8883'",
      "\toption ca_file '/etc/op25b/ca.pem'",
    ].join('\n'),
  );
  assert.equal(result.warnings, ['unknown option agent.colour ignored']);
  assert.is(result.agent.deviceId, 'cpe-0001');
  assert.is(result.mqtt?.broker, 'mqtts://broker.example:8883');
  assert.is(result.mqtt?.caFile, '/etc/op25b/ca.pem');
});

for (const backend of ['auto', 'nftables', 'iptables'] as const) {
  test(`backend '${backend}' is accepted`, () => {
    assert.is(config(`config policy\n\toption backend '${backend}'\n`).firewall.backend, backend);
  });
}

for (const variant of ['auto', 'legacy', 'nft'] as const) {
  test(`iptables_variant '${variant}' is accepted`, () => {
    const result = config(`config policy\n\toption iptables_variant '${variant}'\n`);
    assert.is(result.firewall.iptablesVariant, variant);
  });
}

for (const value of ['nft', 'fw4', 'NFTABLES', 'iptables-legacy', ' ', 'auto; reboot']) {
  test(`rejects backend ${JSON.stringify(value)} naming the value`, () => {
    const error = rejects(
      () => config(`config policy\n\toption backend '${value}'\n`),
      'invalid_backend',
      value,
    );
    assert.match(error.message, /expected auto, nftables, iptables$/);
  });
}

for (const value of ['nftables', 'LEGACY', 'iptables-nft', ' ']) {
  test(`rejects iptables_variant ${JSON.stringify(value)} naming the value`, () => {
    const error = rejects(
      () => config(`config policy\n\toption iptables_variant '${value}'\n`),
      'invalid_iptables_variant',
      value,
    );
    assert.match(error.message, /expected auto, legacy, nft$/);
  });
}

test('hostile values in the file are rejected with the value in the message', () => {
  const cases: [string, string, string][] = [
    ["list allow '203.0.113.4; reboot'", 'invalid_address', '203.0.113.4; reboot'],
    ["list port '25-'", 'invalid_port', '25-'],
    ["list port '025'", 'invalid_port', '025'],
    ["list wan_device 'wan\"'", 'invalid_device', 'wan"'],
    ["list wan_device 'wan'\\'''", 'invalid_device', "wan'"],
    ["list wan_device '$(x)'", 'invalid_device', '$(x)'],
    ["list family 'ipv5'", 'invalid_family', 'ipv5'],
    ["option action 'accept'", 'invalid_action', 'accept'],
    ["option enabled 'maybe'", 'invalid_boolean', 'maybe'],
  ];
  for (const [line, code, value] of cases)
    rejects(() => config(`config policy 'policy'\n\t${line}\n`), code, value);
});

test('single-value options given as lists are rejected', () => {
  for (const key of ['enabled', 'action', 'backend', 'iptables_variant']) {
    const error = inputError(() => config(`config policy\n\tlist ${key} 'x'\n`));
    assert.is(error.code, 'invalid_config');
    assert.ok(error.message.includes(`option ${key} must be a single value`), error.message);
  }
});

test('policy errors from the config name the section and option, and keep the code', () => {
  for (const [line, code, message] of [
    ["list port '0'", 'invalid_port', 'invalid policy.port "0": expected 1..65535'],
    ["list allow '1.2.3.4/8'", 'invalid_address', 'invalid policy.allow "1.2.3.4/8": host bits'],
    ["list wan_device 'eth 1'", 'invalid_device', 'invalid policy.wan_device "eth 1": expected'],
    [
      "option enabled 'maybe'",
      'invalid_boolean',
      'invalid policy.enabled "maybe": expected 1 or 0',
    ],
    ["list family 'ipx'", 'invalid_family', 'invalid policy.family "ipx": expected ipv4 or ipv6'],
  ] as const) {
    const error = rejects(() => config(`config policy\n\t${line}\n`), code, line.split("'")[1]!);
    assert.ok(error.message.startsWith(message), error.message);
  }
});

test.run();
