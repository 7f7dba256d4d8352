import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseRecentList } from '../../../../agent/firewall/iptables/recent-list.ts';
import { fixture } from '../../helpers.ts';

test('real /proc/net/xt_recent/op25b_v4: one count per remembered packet', () => {
  assert.equal(parseRecentList(fixture('iptables/xt_recent-op25b_v4.txt')), [
    { address: '198.51.100.3', attempts: 1 },
    { address: '198.51.100.2', attempts: 3 },
  ]);
});

test("real /proc/net/xt_recent/op25b_v6: the kernel's full IPv6 spelling becomes canonical", () => {
  assert.equal(parseRecentList(fixture('iptables/xt_recent-op25b_v6.txt')), [
    { address: '2001:db8::2', attempts: 2 },
  ]);
});

test('the documented line format', () => {
  assert.equal(
    parseRecentList(
      'src=198.51.100.2 ttl: 64 last_seen: 4294961495 oldest_pkt: 3 4294961487, 4294961488, 4294961488\n',
    ),
    [{ address: '198.51.100.2', attempts: 3 }],
  );
  assert.equal(
    parseRecentList(
      'src=2001:0db8:0000:0000:0000:0000:0000:0025 ttl: 0 last_seen: 100 oldest_pkt: 0 100\n',
    ),
    [{ address: '2001:db8::25', attempts: 1 }],
  );
});

test('a saturated entry counts its timestamps (up to ip_pkt_list_tot)', () => {
  const stamps = Array.from({ length: 20 }, (_, i) => 4294961000 + i).join(', ');
  assert.equal(
    parseRecentList(`src=203.0.113.7 ttl: 64 last_seen: 4294961019 oldest_pkt: 0 ${stamps}`),
    [{ address: '203.0.113.7', attempts: 20 }],
  );
});

test('empty lists, blank lines and lines that are not entries give nothing', () => {
  assert.equal(parseRecentList(''), []);
  assert.equal(parseRecentList('\n\n'), []);
  assert.equal(
    parseRecentList(
      [
        'garbage',
        'src=not-an-address ttl: 64 last_seen: 1 oldest_pkt: 0 1',
        'src=198.51.100.9 ttl: 64 last_seen: 1',
        '  src=198.51.100.8 ttl: 64 last_seen: 5 oldest_pkt: 1 4, 5  ',
      ].join('\n'),
    ),
    [{ address: '198.51.100.8', attempts: 2 }],
  );
});

test.run();
