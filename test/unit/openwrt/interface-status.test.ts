import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  parseInterfaceDump,
  parseInterfaceStatus,
} from '../../../agent/openwrt/interface-status.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

test('dump: every interface with up, proto, devices and addresses', () => {
  assert.equal(parseInterfaceDump(fixture('interface-dump-pppoe.json')), [
    {
      name: 'lan',
      up: true,
      proto: 'static',
      device: 'br-lan',
      l3Device: 'br-lan',
      ipv4: ['198.51.100.1/26'],
      ipv6: [],
    },
    {
      name: 'loopback',
      up: true,
      proto: 'static',
      device: 'lo',
      l3Device: 'lo',
      ipv4: ['127.0.0.1/8'],
      ipv6: [],
    },
    {
      name: 'wan',
      up: true,
      proto: 'pppoe',
      device: 'wan',
      l3Device: 'pppoe-wan',
      ipv4: ['203.0.113.7/32'],
      ipv6: [],
    },
    {
      // device "@wan" is an alias of wan, not a network device: left out
      name: 'wan6',
      up: true,
      proto: 'dhcpv6',
      device: null,
      l3Device: 'pppoe-wan',
      ipv4: [],
      ipv6: ['2001:db8:100::1234/64'],
    },
  ]);
});

test('status of a PPPoE interface that is down: proto and device, no l3_device', () => {
  assert.equal(parseInterfaceStatus(fixture('interface-wan-down.json'), 'wan'), {
    name: 'wan',
    up: false,
    proto: 'pppoe',
    device: 'wan',
    l3Device: null,
    ipv4: [],
    ipv6: [],
  });
});

test('malformed fields are dropped, never trusted', () => {
  const status = parseInterfaceStatus(
    {
      up: 'true',
      proto: 'pppoe; reboot',
      device: 'eth 0',
      l3_device: 'x'.repeat(16),
      'ipv4-address': [
        { address: '203.0.113.7', mask: 33 },
        { address: '203.0.113.300', mask: 24 },
        { address: '203.0.113.8', mask: '24' },
        'x',
        { address: '203.0.113.9', mask: 24 },
      ],
      'ipv6-address': { address: '2001:db8::1', mask: 64 },
    },
    'wan',
  );
  assert.equal(status, {
    name: 'wan',
    up: false,
    proto: null,
    device: null,
    l3Device: null,
    ipv4: ['203.0.113.9/24'],
    ipv6: [],
  });
  assert.equal(parseInterfaceStatus(null, 'wan').up, false);
  assert.equal(parseInterfaceStatus([], 'wan').device, null);
});

test('dump: entries without a valid name are skipped; a bad reply is an empty list', () => {
  assert.equal(
    parseInterfaceDump({
      interface: [
        { interface: 'wan', up: true },
        { interface: 'bad name', up: true },
        { up: true },
        'wan6',
        null,
      ],
    }).map((s) => s.name),
    ['wan'],
  );
  for (const value of [null, {}, { interface: {} }, [], 'x'])
    assert.equal(parseInterfaceDump(value), []);
});

test.run();
