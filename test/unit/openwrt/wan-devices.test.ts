import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  parseInterfaceDump,
  parseInterfaceStatus,
  type InterfaceStatus,
} from '../../../agent/openwrt/interface-status.ts';
import {
  DEFAULT_WAN_INTERFACES,
  interfaceDevices,
  mergeDevices,
  parseInterfaceName,
  wanInterfaces,
  wanView,
  withWanDevices,
} from '../../../agent/openwrt/wan-devices.ts';
import { policy, rejects } from '../helpers.ts';

const dump = parseInterfaceDump(
  JSON.parse(
    readFileSync(new URL('./fixtures/interface-dump-pppoe.json', import.meta.url), 'utf8'),
  ),
);

function status(fields: Partial<InterfaceStatus> & { name: string }): InterfaceStatus {
  return { up: false, proto: null, device: null, l3Device: null, ipv4: [], ipv6: [], ...fields };
}

test('interface names: what uci allows for a section name', () => {
  assert.is(parseInterfaceName('wan'), 'wan');
  assert.is(parseInterfaceName('wan_6'), 'wan_6');
  for (const bad of ['', 'wan-6', 'wan.6', 'wan 6', '@wan', 'x'.repeat(33), 1, null])
    rejects(() => parseInterfaceName(bad), 'invalid_interface', bad);
});

test('the WAN interfaces: as configured, else wan and wan6 where ubus exists, else none', () => {
  assert.equal(DEFAULT_WAN_INTERFACES, ['wan', 'wan6']);
  assert.equal(wanInterfaces(null, true), ['wan', 'wan6']);
  assert.equal(wanInterfaces(null, false), []);
  assert.equal(wanInterfaces(['wwan'], true), ['wwan']);
  assert.equal(wanInterfaces(['wwan'], false), ['wwan']);
});

test('devices of an interface: l3_device and device; PPPoE included, up or down', () => {
  const wan = dump.find((s) => s.name === 'wan')!;
  assert.equal(interfaceDevices(wan), ['pppoe-wan', 'wan']);
  const down = parseInterfaceStatus({ up: false, proto: 'pppoe', device: 'wan' }, 'wan');
  // netifd names the session's device pppoe-<interface>: blocked before it first exists.
  assert.equal(interfaceDevices(down), ['wan', 'pppoe-wan']);
  assert.equal(interfaceDevices(status({ name: 'wan', proto: 'dhcp', device: 'eth1' })), ['eth1']);
  assert.equal(
    interfaceDevices(
      status({ name: 'wan', up: true, proto: 'static', device: 'eth1', l3Device: 'eth1' }),
    ),
    ['eth1'],
  );
  assert.equal(
    interfaceDevices(status({ name: 'wwan', up: true, proto: 'qmi', l3Device: 'wwan0' })),
    ['wwan0'],
  );
});

test('tunnel protocols predict their device name; too long a name is not guessed', () => {
  const predicted = (proto: string, name = 'wan') =>
    interfaceDevices(status({ name, proto })).join(',');
  assert.is(predicted('pppoe'), 'pppoe-wan');
  assert.is(predicted('pppoa'), 'pppoa-wan');
  assert.is(predicted('3g'), '3g-wan');
  assert.is(predicted('l2tp'), 'l2tp-wan');
  assert.is(predicted('dslite', 'wan6'), 'ds-wan6');
  assert.is(predicted('map', 'wan6'), 'map-wan6');
  assert.is(predicted('6rd'), '6rd-wan');
  assert.is(predicted('pppoe', 'wanbackup'), 'pppoe-wanbackup');
  assert.is(predicted('pppoe', 'wan_backup'), '');
  assert.is(predicted('dhcp'), '');
  assert.is(predicted('static'), '');
});

test("wanView: devices of the named interfaces, the first one's proto, what is missing", () => {
  assert.equal(wanView(dump, ['wan', 'wan6']), {
    devices: ['pppoe-wan', 'wan'],
    proto: 'pppoe',
    missing: [],
  });
  assert.equal(wanView(dump, ['wan6', 'wwan']), {
    devices: ['pppoe-wan'],
    proto: 'dhcpv6',
    missing: ['wwan'],
  });
  assert.equal(wanView([], ['wan']), { devices: [], proto: null, missing: ['wan'] });
  assert.equal(wanView(dump, []), { devices: [], proto: null, missing: [] });
  // lan is no WAN interface, whatever it holds
  assert.not.ok(wanView(dump, ['wan', 'wan6']).devices.includes('br-lan'));
});

test('mergeDevices: union, sorted, without duplicates; a bad name throws', () => {
  assert.equal(mergeDevices(['wan'], ['pppoe-wan', 'wan'], [], ['eth0.2']), [
    'eth0.2',
    'pppoe-wan',
    'wan',
  ]);
  assert.equal(mergeDevices(), []);
  rejects(() => mergeDevices(['eth 0']), 'invalid_device', 'eth 0');
});

test("withWanDevices adds to the policy's own wan_device list and keeps the rest", () => {
  const base = policy({ wanDevices: ['eth1'], ports: ['25', '465'], action: 'reject' });
  const merged = withWanDevices(base, ['pppoe-wan', 'eth1']);
  assert.equal(merged, { ...base, wanDevices: ['eth1', 'pppoe-wan'] });
  assert.equal(base.wanDevices, ['eth1'], 'the input is left as it was');
  // Nothing from netifd: the policy as configured (no devices: fail closed).
  assert.equal(withWanDevices(policy(), []), policy());
});

test('a PPPoE reconnect keeps the device: seen devices merged with the current view', () => {
  const up = wanView(dump, ['wan', 'wan6']).devices;
  const afterIfdown = wanView(
    [parseInterfaceStatus({ up: false, proto: 'dhcp', device: 'eth1' }, 'wan')],
    ['wan', 'wan6'],
  ).devices;
  assert.equal(afterIfdown, ['eth1']);
  assert.equal(mergeDevices(up, afterIfdown), ['eth1', 'pppoe-wan', 'wan']);
});

test.run();
