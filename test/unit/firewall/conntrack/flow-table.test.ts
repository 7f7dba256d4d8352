import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  destinationsToCut,
  familyOf,
  parseConntrackList,
  parseRouteLookups,
  type Flow,
} from '../../../../agent/firewall/conntrack/flow-table.ts';
import { fixture, policy } from '../../helpers.ts';

// The fixtures come from a namespace whose router had `wan` (default routes, 198.51.100.2/24,
// 2001:db8::2/64), `br-lan` (203.0.113.128/26, 2001:db8:2::/64), and unreachable routes for
// 203.0.113.200/29 and 2001:db8:dead::/48.

test('real `conntrack -L -f ipv4 -p tcp --dport 25`: the original direction of each flow', () => {
  assert.equal(parseConntrackList(fixture('conntrack/conntrack-ipv4-dport25.txt')), [
    { source: '198.51.100.3', destination: '203.0.113.25', destinationPort: 25 },
    { source: '203.0.113.129', destination: '203.0.113.140', destinationPort: 25 },
    { source: '198.51.100.2', destination: '203.0.113.99', destinationPort: 25 },
  ]);
});

test('real `conntrack -L -f ipv6 -p tcp --dport 25`', () => {
  assert.equal(parseConntrackList(fixture('conntrack/conntrack-ipv6-dport25.txt')), [
    { source: '2001:db8:2::1', destination: '2001:db8:2::99', destinationPort: 25 },
    { source: '2001:db8::2', destination: '2001:db8:1::99', destinationPort: 25 },
  ]);
});

test('real unfiltered `conntrack -L`: TCP only (the UDP flow is skipped), any port', () => {
  const flows = parseConntrackList(fixture('conntrack/conntrack-all.txt'));
  assert.is(flows.length, 6);
  assert.ok(flows.some((f) => f.destination === '203.0.113.99' && f.destinationPort === 587));
  assert.is(flows.filter((f) => f.destination === '203.0.113.99').length, 2);
});

test('real /proc/net/nf_conntrack: family prefix, full IPv6 spelling, UDP skipped', () => {
  assert.equal(parseConntrackList(fixture('conntrack/proc-nf_conntrack.txt')), [
    { source: '198.51.100.3', destination: '203.0.113.25', destinationPort: 25 },
    { source: '203.0.113.129', destination: '203.0.113.140', destinationPort: 25 },
    { source: '198.51.100.2', destination: '203.0.113.99', destinationPort: 25 },
    { source: '2001:db8:2::1', destination: '2001:db8:2::99', destinationPort: 25 },
    { source: '2001:db8::2', destination: '2001:db8:1::99', destinationPort: 25 },
    { source: '198.51.100.2', destination: '203.0.113.99', destinationPort: 587 },
  ]);
});

test('/proc and conntrack -L list the same connections alike', () => {
  const proc = parseConntrackList(fixture('conntrack/proc-nf_conntrack.txt'));
  const key = (f: Flow) => `${f.source} ${f.destination} ${f.destinationPort}`;
  const listed = parseConntrackList(fixture('conntrack/conntrack-all.txt'));
  assert.equal(proc.map(key).sort(), listed.map(key).sort());
});

test('the documented conntrack lines, IPv4 and IPv6 (IPv6 made canonical)', () => {
  const text = [
    'tcp      6 431999 ESTABLISHED src=198.51.100.2 dst=203.0.113.99 sport=40000 dport=25 src=203.0.113.99 dst=198.51.100.2 sport=25 dport=40000 [ASSURED] mark=0 use=1',
    'tcp      6 117 SYN_SENT src=2001:db8:0:0::2 dst=2001:DB8::99 sport=40001 dport=587 [UNREPLIED] src=2001:db8::99 dst=2001:db8::2 sport=587 dport=40001 mark=0 use=1',
    'udp      17 29 src=198.51.100.2 dst=203.0.113.99 sport=1 dport=25 [UNREPLIED] src=203.0.113.99 dst=198.51.100.2 sport=25 dport=1 mark=0 use=1',
    'conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.',
    'tcp      6 10 CLOSE src=bogus dst=203.0.113.99 sport=1 dport=25',
    '',
  ].join('\n');
  assert.equal(parseConntrackList(text), [
    { source: '198.51.100.2', destination: '203.0.113.99', destinationPort: 25 },
    { source: '2001:db8::2', destination: '2001:db8::99', destinationPort: 587 },
  ]);
  assert.equal(parseConntrackList(''), []);
});

test('with ports: the flows to those ports, exactly as parsing every line and keeping those', () => {
  const all = [
    fixture('conntrack/proc-nf_conntrack.txt'),
    fixture('conntrack/conntrack-all.txt'),
    fixture('conntrack/conntrack-ipv4-dport25.txt'),
    fixture('conntrack/conntrack-ipv6-dport25.txt'),
  ];
  // A busy router's table, made up: reply directions to port 25 (a mail server's own outgoing
  // connections seen back), ports that start with 25 or end in it, UDP to 25, the last line
  // without a newline and ending in `dport=25`.
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) {
    const dport = [25, 250, 2525, 125, 587, 443, 465][i % 7];
    const sport = i % 11 === 0 ? 25 : 40000 + i;
    const proto = i % 13 === 0 ? 'udp      17' : 'tcp      6';
    lines.push(
      `ipv4     2 ${proto} 431999 ESTABLISHED src=198.51.100.${i % 250} dst=203.0.113.${i % 200} ` +
        `sport=${sport} dport=${dport} src=203.0.113.${i % 200} dst=198.51.100.${i % 250} ` +
        `sport=${dport} dport=${sport} [ASSURED] mark=0 zone=0 use=2`,
    );
  }
  lines.push('tcp      6 10 CLOSE src=198.51.100.9 dst=203.0.113.9 sport=1 dport=25');
  all.push(lines.join('\n'));
  for (const text of all)
    for (const ports of [[25], [587], [25, 465, 587], [2525], [9]]) {
      const expected = parseConntrackList(text).filter((f) => ports.includes(f.destinationPort));
      assert.equal(parseConntrackList(text, ports), expected, `ports ${ports.join(',')}`);
    }
  assert.ok(parseConntrackList(lines.join('\n'), [25]).length > 30, 'the made-up table has some');
});

test('real `ip -o route get` output: the egress device of each destination', () => {
  const devices = parseRouteLookups(fixture('conntrack/route-get.txt'));
  assert.equal(Object.fromEntries(devices), {
    '203.0.113.99': 'wan',
    '203.0.113.25': 'wan',
    '203.0.113.140': 'br-lan',
    '127.0.0.5': 'lo',
    '198.51.100.1': 'wan',
    '2001:db8:1::99': 'wan',
    '2001:db8:2::99': 'br-lan',
  });
});

test('the documented route lines; errors and unreachable routes give no entry', () => {
  // The `unreachable` line is made up (ip printed only the RTNETLINK errors in the capture): a
  // route type in front of the address must not be read as the address.
  const text = [
    '203.0.113.9 via 198.51.100.1 dev wan src 198.51.100.2 uid 0 \\    cache ',
    'local 127.0.0.5 dev lo table local src 127.0.0.1 uid 0 \\    cache <local> ',
    '2001:DB8:0::9 from :: via 2001:db8::1 dev pppoe-wan proto static src 2001:db8::2 metric 1024 pref medium',
    'unreachable 2001:db8:dead::1 from :: dev lo proto kernel metric 4294967295 error -101 pref medium',
    'RTNETLINK answers: No route to host',
    'Command failed -:4',
    '',
  ].join('\n');
  assert.equal(Object.fromEntries(parseRouteLookups(text)), {
    '203.0.113.9': 'wan',
    '127.0.0.5': 'lo',
    '2001:db8::9': 'pppoe-wan',
  });
});

const FLOWS = [
  ...parseConntrackList(fixture('conntrack/conntrack-ipv4-dport25.txt')),
  ...parseConntrackList(fixture('conntrack/conntrack-ipv6-dport25.txt')),
  // A flow to a destination that has no route any more.
  { source: '198.51.100.2', destination: '203.0.113.201', destinationPort: 25 },
];
const ROUTES = parseRouteLookups(fixture('conntrack/route-get.txt'));
const WAN = policy({ allow: ['203.0.113.25'], wanDevices: ['wan'] });

test('without route lookups: every non-relay destination on a blocked port', () => {
  assert.equal(destinationsToCut(FLOWS, WAN, null), [
    '203.0.113.140',
    '203.0.113.99',
    '2001:db8:2::99',
    '2001:db8:1::99',
    '203.0.113.201',
  ]);
});

test('with route lookups: relays kept, non-WAN egress kept, unrouted kept', () => {
  assert.equal(destinationsToCut(FLOWS, WAN, ROUTES), ['203.0.113.99', '2001:db8:1::99']);
});

test('a WAN-less policy cuts every routed destination but those via lo', () => {
  const flows: Flow[] = [
    ...FLOWS,
    { source: '198.51.100.2', destination: '127.0.0.5', destinationPort: 25 },
  ];
  assert.equal(destinationsToCut(flows, policy({ allow: ['203.0.113.25'] }), ROUTES), [
    '203.0.113.140',
    '203.0.113.99',
    '2001:db8:2::99',
    '2001:db8:1::99',
  ]);
});

test('only flows to blocked ports count, and each destination once', () => {
  const all = parseConntrackList(fixture('conntrack/conntrack-all.txt'));
  const only587 = policy({ ports: ['587'], wanDevices: ['wan'] });
  assert.equal(destinationsToCut(all, only587, ROUTES), ['203.0.113.99']);
  const both = policy({ ports: ['25', '587'], wanDevices: ['wan'] });
  assert.equal(destinationsToCut(all, both, ROUTES), [
    '203.0.113.25',
    '203.0.113.99',
    '2001:db8:1::99',
  ]);
});

test('relay prefixes keep every destination inside them', () => {
  const relays = policy({ allow: ['203.0.113.0/24', '2001:db8::/32'], wanDevices: ['wan'] });
  assert.equal(destinationsToCut(FLOWS, relays, null), []);
});

test('no flows: nothing to cut', () => {
  assert.equal(destinationsToCut([], WAN, ROUTES), []);
});

test('familyOf', () => {
  assert.is(familyOf('203.0.113.99'), 'ipv4');
  assert.is(familyOf('2001:db8::99'), 'ipv6');
});

test.run();
