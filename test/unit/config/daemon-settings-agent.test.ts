// How the agent section's options are read: defaults, every option, allow_unsigned, device
// ids, paths, intervals, closed lists, unknown options.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AGENT_OPTIONS,
  agentSettingsFromUci,
  LOG_LEVELS,
} from '../../../agent/config/daemon-settings.ts';
import { parseUci } from '../../../agent/config/uci-parse.ts';
import { agent, refuses } from './daemon-settings-uci.ts';

test('agent: the defaults, with no section at all', () => {
  const { settings, warnings } = agentSettingsFromUci(parseUci(''));
  assert.equal(settings, {
    deviceId: null,
    deviceIdDevice: null,
    verifyKeyFile: null,
    allowUnsigned: false,
    stateDir: '/etc/op25b',
    runDir: '/var/run/op25b',
    reportIntervalS: 300,
    verifyIntervalS: 0,
    ubusProbeIntervalS: 5,
    ubusSocket: null,
    logLevel: 'info',
    logTarget: 'stderr',
  });
  assert.equal(warnings, []);
  assert.equal(agent().settings, settings, 'an empty section is the same');
});

test('agent: every option read', () => {
  const { settings, warnings } = agent({
    device_id: 'cpe_0001-A',
    device_id_device: 'br-lan',
    verify_key_file: '/etc/op25b/isp.pem',
    allow_unsigned: '0',
    state_dir: '/overlay/op25b',
    run_dir: '/tmp/run/op25b',
    report_interval: '60',
    verify_interval: '10',
    ubus_probe_interval: '60',
    ubus_socket: '/tmp/run/ubus/ubus.sock',
    log_level: 'debug',
    log_target: 'syslog',
  });
  assert.equal(settings, {
    deviceId: 'cpe_0001-A',
    deviceIdDevice: 'br-lan',
    verifyKeyFile: '/etc/op25b/isp.pem',
    allowUnsigned: false,
    stateDir: '/overlay/op25b',
    runDir: '/tmp/run/op25b',
    reportIntervalS: 60,
    verifyIntervalS: 10,
    ubusProbeIntervalS: 60,
    ubusSocket: '/tmp/run/ubus/ubus.sock',
    logLevel: 'debug',
    logTarget: 'syslog',
  });
  assert.equal(warnings, []);
  assert.equal(AGENT_OPTIONS.length, Object.keys(settings).length);
});

// BUG: a router with a broker and no verify_key_file obeyed unsigned JSON from anyone who could
// publish to its topics. Unsigned remote control now takes an explicit allow_unsigned '1'.
test('agent: allow_unsigned is off unless set to 1; ignored, with a warning, next to a key', () => {
  assert.is(agent().settings.allowUnsigned, false);
  assert.is(agent({ allow_unsigned: '0' }).settings.allowUnsigned, false);
  const on = agent({ allow_unsigned: '1' });
  assert.is(on.settings.allowUnsigned, true);
  assert.equal(on.warnings, []);
  for (const value of ['yes', 'true', '2', ' 1'])
    refuses(() => agent({ allow_unsigned: value }), 'invalid_allow_unsigned', value);
  const both = agent({ allow_unsigned: '1', verify_key_file: '/etc/op25b/isp.pem' });
  assert.equal(both.warnings.length, 1);
  assert.match(both.warnings[0]!, 'allow_unsigned is ignored');
});

test('agent: device_id is 1..64 of A-Z a-z 0-9 _ -', () => {
  assert.is(agent({ device_id: 'x'.repeat(64) }).settings.deviceId, 'x'.repeat(64));
  for (const value of ['x'.repeat(65), 'a.b', 'a/b', 'a b', '+', '#', 'ポ'])
    refuses(() => agent({ device_id: value }), 'invalid_device_id', value);
});

test('agent: device_id_device is a network device name', () => {
  for (const value of ['eth0.2', 'pppoe-wan', 'wlan0_1'])
    assert.is(agent({ device_id_device: value }).settings.deviceIdDevice, value);
  for (const value of ['x'.repeat(16), '-eth0', 'eth/0', 'eth 0', '../x'])
    refuses(() => agent({ device_id_device: value }), 'invalid_device_id_device', value);
});

test('agent: paths must be absolute and plain', () => {
  for (const key of ['verify_key_file', 'state_dir', 'run_dir'])
    for (const value of [
      'relative/path',
      '~/x',
      '/etc/op 25b',
      '/etc/$(reboot)',
      '/etc/a;b',
      "/etc/'",
    ])
      refuses(() => agent({ [key]: value }), `invalid_${key}`, value);
  assert.is(agent({ state_dir: '/' }).settings.stateDir, '/');
  assert.is(
    agent({ verify_key_file: '/etc/op25b/isp+2026@v1.pem' }).settings.verifyKeyFile,
    '/etc/op25b/isp+2026@v1.pem',
  );
});

test('agent: report_interval 10..86400, verify_interval 0..3600', () => {
  assert.is(agent({ report_interval: '10' }).settings.reportIntervalS, 10);
  assert.is(agent({ report_interval: '86400' }).settings.reportIntervalS, 86400);
  assert.is(agent({ verify_interval: '3600' }).settings.verifyIntervalS, 3600);
  for (const value of ['9', '86401', '-1', '1.5', '010', '5m', ' 60'])
    refuses(() => agent({ report_interval: value }), 'invalid_report_interval', value);
  for (const value of ['3601', '-1', 'auto'])
    refuses(() => agent({ verify_interval: value }), 'invalid_verify_interval', value);
});

test('agent: log_level and log_target are closed lists', () => {
  for (const level of LOG_LEVELS) assert.is(agent({ log_level: level }).settings.logLevel, level);
  for (const value of ['INFO', 'warning', 'trace'])
    refuses(() => agent({ log_level: value }), 'invalid_log_level', value);
  refuses(() => agent({ log_target: 'file' }), 'invalid_log_target', 'file');
});

test('agent: unknown options are warnings', () => {
  assert.equal(agent({ devce_id: 'x' }).warnings, ['unknown option agent.devce_id ignored']);
});

test.run();
