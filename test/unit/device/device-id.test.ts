import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  deviceIdFromBytes,
  deviceIdFromMac,
  noDeviceIdReason,
  resolveDeviceId,
  type IdFiles,
} from '../../../agent/device/device-id.ts';

test('a MAC address as /sys prints it becomes 12 lower-case hex digits', () => {
  assert.is(deviceIdFromMac('00:16:3e:5a:1b:2c\n'), '00163e5a1b2c');
  assert.is(deviceIdFromMac('00:16:3E:5A:1B:2C'), '00163e5a1b2c');
  assert.is(deviceIdFromMac('  02:00:00:00:00:01  '), '020000000001');
});

test('anything else gives no id', () => {
  for (const text of [
    null,
    '',
    '00:00:00:00:00:00',
    '00:16:3e:5a:1b',
    '00:16:3e:5a:1b:2c:3d',
    '00-16-3e-5a-1b-2c',
    '00163e5a1b2c',
    '0:16:3e:5a:1b:2c',
    'zz:16:3e:5a:1b:2c',
  ])
    assert.is(deviceIdFromMac(text), null, JSON.stringify(text));
});

/** Files as a router has them; records what was read. */
function router(text: Record<string, string>, bytes: Record<string, number[]> = {}) {
  const read: string[] = [];
  const files: IdFiles = {
    readText: (path) => (read.push(path), text[path] ?? null),
    readBytes: (path, length) => (
      read.push(path),
      bytes[path] ? Uint8Array.from(bytes[path]!.slice(0, length)) : null
    ),
  };
  return { files, read };
}

const ETH0 = { '/sys/class/net/eth0/address': '00:16:3e:00:00:e0\n' };
const ALIAS = '/proc/device-tree/aliases/label-mac-device';
const NODE = '/proc/device-tree/soc/ethernet@1e100000/mac@0';
const BOARD = '/etc/board.json';

test('a configured id wins, and nothing is read', () => {
  const r = router(ETH0);
  assert.is(resolveDeviceId('cpe-0001', null, r.files), 'cpe-0001');
  assert.equal(r.read, []);
});

test('a configured device: its MAC address only', () => {
  const r = router({ '/sys/class/net/br-lan/address': '00:16:3e:5a:1b:2c\n' });
  assert.is(resolveDeviceId(null, 'br-lan', r.files), '00163e5a1b2c');
  assert.equal(r.read, ['/sys/class/net/br-lan/address']);
  assert.is(resolveDeviceId(null, 'eth9', router(ETH0).files), null);
});

test('the label MAC as get_mac_label finds it: device tree alias first', () => {
  const alias = { [ALIAS]: '/soc/ethernet@1e100000/mac@0\0', ...ETH0 };
  const dt = router(alias, { [`${NODE}/mac-address`]: [0x00, 0x16, 0x3e, 0xaa, 0xbb, 0xcc] });
  assert.is(resolveDeviceId(null, null, dt.files), '00163eaabbcc');
  // No mac-address, or all zeros: local-mac-address.
  const local = router(alias, {
    [`${NODE}/mac-address`]: [0, 0, 0, 0, 0, 0],
    [`${NODE}/local-mac-address`]: [0x02, 0x00, 0x00, 0x00, 0x00, 0x01],
  });
  assert.is(resolveDeviceId(null, null, local.files), '020000000001');
});

test('then /etc/board.json system.label_macaddr, then eth0', () => {
  const board = JSON.stringify({ system: { label_macaddr: '00:16:3E:12:34:56' } });
  assert.is(resolveDeviceId(null, null, router({ [BOARD]: board, ...ETH0 }).files), '00163e123456');
  const r = router({ [BOARD]: '{"model":{}}', [ALIAS]: '../../etc\0', ...ETH0 });
  assert.is(resolveDeviceId(null, null, r.files), '00163e0000e0');
  assert.ok(!r.read.some((p) => p.includes('..')), 'an alias never leaves the device tree');
  assert.is(resolveDeviceId(null, null, router({ [BOARD]: 'not json' }).files), null);
});

test('bytes: exactly six, not all zero', () => {
  assert.is(deviceIdFromBytes(Uint8Array.from([1, 2, 3, 4, 5, 255])), '0102030405ff');
  assert.is(deviceIdFromBytes(Uint8Array.from([1, 2, 3, 4, 5])), null);
  assert.is(deviceIdFromBytes(null), null);
});

test('no id: the reason names where it looked and the way out', () => {
  assert.match(noDeviceIdReason('eth9'), "eth9's MAC address");
  assert.match(noDeviceIdReason(null), 'label MAC');
  assert.match(noDeviceIdReason(null), 'agent.device_id');
});

test.run();
