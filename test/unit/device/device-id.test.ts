import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deviceIdFromMac, resolveDeviceId } from '../../../agent/device/device-id.ts';
import { inputError } from '../helpers.ts';

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

test('a configured id wins, and /sys is not read', () => {
  const read: string[] = [];
  const id = resolveDeviceId('cpe-0001', 'eth0', (path) => (read.push(path), null));
  assert.is(id, 'cpe-0001');
  assert.equal(read, []);
});

test('otherwise the MAC address of the configured device', () => {
  const read: string[] = [];
  const id = resolveDeviceId(null, 'br-lan', (path) => (read.push(path), '00:16:3e:5a:1b:2c\n'));
  assert.is(id, '00163e5a1b2c');
  assert.equal(read, ['/sys/class/net/br-lan/address']);
});

test('no usable MAC address: no_device_id, naming the device and the way out', () => {
  for (const mac of [null, '00:00:00:00:00:00']) {
    const error = inputError(() => resolveDeviceId(null, 'eth9', () => mac));
    assert.is(error.code, 'no_device_id');
    assert.match(error.message, "eth9's MAC address");
    assert.match(error.message, 'agent.device_id');
  }
});

test.run();
