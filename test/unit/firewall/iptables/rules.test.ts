import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { desiredRules, type IptablesRules } from '../../../../agent/firewall/iptables/rules.ts';
import { policy } from '../../helpers.ts';
import { COUNTED, NO_WAN_MANY_PORTS, SINGLE_PORT } from './fixture-policies.ts';

function plain(rules: IptablesRules | null) {
  return (
    rules && { chains: Object.fromEntries(rules.chains), jumps: Object.fromEntries(rules.jumps) }
  );
}

const JUMPS = { FORWARD: '-A FORWARD -j OP25B', OUTPUT: '-A OUTPUT -j OP25B' };

test('golden IPv4 lines: reject, two ports, one WAN device, one relay', () => {
  assert.equal(plain(desiredRules(policy(COUNTED), 'ipv4')), {
    chains: {
      OP25B: ['-A OP25B -o wan -p tcp -m multiport --dports 25,587 -j OP25B_BLOCK'],
      OP25B_BLOCK: [
        '-A OP25B_BLOCK -d 203.0.113.25/32 -j RETURN',
        '-A OP25B_BLOCK -m recent --set --name op25b_v4 --mask 255.255.255.255 --rsource',
        '-A OP25B_BLOCK -p tcp -j REJECT --reject-with tcp-reset',
      ],
    },
    jumps: JUMPS,
  });
});

test("golden IPv6 lines: the family's own relays and recent list", () => {
  assert.equal(plain(desiredRules(policy(COUNTED), 'ipv6')), {
    chains: {
      OP25B: ['-A OP25B -o wan -p tcp -m multiport --dports 25,587 -j OP25B_BLOCK'],
      OP25B_BLOCK: [
        '-A OP25B_BLOCK -d 2001:db8::25/128 -j RETURN',
        '-A OP25B_BLOCK -m recent --set --name op25b_v6 --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource',
        '-A OP25B_BLOCK -p tcp -j REJECT --reject-with tcp-reset',
      ],
    },
    jumps: JUMPS,
  });
});

test('one port uses -m tcp --dport; one rule per WAN device; drop is a plain DROP', () => {
  assert.equal(plain(desiredRules(policy(SINGLE_PORT), 'ipv6')), {
    chains: {
      OP25B: [
        '-A OP25B -o wan -p tcp -m tcp --dport 25 -j OP25B_BLOCK',
        '-A OP25B -o wan6 -p tcp -m tcp --dport 25 -j OP25B_BLOCK',
      ],
      OP25B_BLOCK: [
        '-A OP25B_BLOCK -d 2001:db8::25/128 -j RETURN',
        '-A OP25B_BLOCK -m recent --set --name op25b_v6 --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource',
        '-A OP25B_BLOCK -j DROP',
      ],
    },
    jumps: JUMPS,
  });
});

test('no WAN device: ! -o lo; more than 15 ports split into multiport rules of 15', () => {
  assert.equal(plain(desiredRules(policy(NO_WAN_MANY_PORTS), 'ipv4')), {
    chains: {
      OP25B: [
        '-A OP25B ! -o lo -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,25,465 -j OP25B_BLOCK',
        '-A OP25B ! -o lo -p tcp -m multiport --dports 587,2525 -j OP25B_BLOCK',
      ],
      OP25B_BLOCK: [
        '-A OP25B_BLOCK -d 198.51.100.0/28 -j RETURN',
        '-A OP25B_BLOCK -m recent --set --name op25b_v4 --mask 255.255.255.255 --rsource',
        '-A OP25B_BLOCK -j DROP',
      ],
    },
    jumps: JUMPS,
  });
});

test('a lone sixteenth port gets a -m tcp rule; devices times port groups', () => {
  const ports = Array.from({ length: 16 }, (_, i) => 100 + i);
  const rules = desiredRules(policy({ ports, wanDevices: ['wan', 'wan6'] }), 'ipv4')!;
  assert.equal(rules.chains.get('OP25B'), [
    `-A OP25B -o wan -p tcp -m multiport --dports ${ports.slice(0, 15).join(',')} -j OP25B_BLOCK`,
    '-A OP25B -o wan -p tcp -m tcp --dport 115 -j OP25B_BLOCK',
    `-A OP25B -o wan6 -p tcp -m multiport --dports ${ports.slice(0, 15).join(',')} -j OP25B_BLOCK`,
    '-A OP25B -o wan6 -p tcp -m tcp --dport 115 -j OP25B_BLOCK',
  ]);
});

test('no relays of a family: just the recent rule and the verdict', () => {
  assert.equal(
    desiredRules(policy({ allow: ['2001:db8::25'] }), 'ipv4')!.chains.get('OP25B_BLOCK'),
    [
      '-A OP25B_BLOCK -m recent --set --name op25b_v4 --mask 255.255.255.255 --rsource',
      '-A OP25B_BLOCK -j DROP',
    ],
  );
});

test('relays keep their prefix length', () => {
  const block = desiredRules(
    policy({ allow: ['203.0.113.0/24', '198.51.100.7', '2001:db8::/32'] }),
    'ipv4',
  )!.chains.get('OP25B_BLOCK')!;
  assert.equal(block.slice(0, 2), [
    '-A OP25B_BLOCK -d 198.51.100.7/32 -j RETURN',
    '-A OP25B_BLOCK -d 203.0.113.0/24 -j RETURN',
  ]);
});

test('no rules for a disabled policy or a family it leaves out', () => {
  assert.is(desiredRules(policy({ enabled: 'off' }), 'ipv4'), null);
  assert.is(desiredRules(policy({ enabled: 'off' }), 'ipv6'), null);
  assert.is(desiredRules(policy({ families: ['ipv4'] }), 'ipv6'), null);
  assert.ok(desiredRules(policy({ families: ['ipv4'] }), 'ipv4'));
  assert.is(desiredRules(policy({ families: ['ipv6'] }), 'ipv4'), null);
});

test.run();
