import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configFromUci } from '../../../agent/config/agent-config.ts';
import { parseUci } from '../../../agent/config/uci-parse.ts';
import { NO_COUNTERS } from '../../../agent/firewall/backend.ts';
import { policyView, statusReport } from '../../../agent/status/status-report.ts';
import { AGENT_VERSION } from '../../../agent/version.ts';
import { policy } from '../helpers.ts';

const config = configFromUci(
  parseUci(
    [
      "config policy 'policy'",
      "\toption action 'reject'",
      "\tlist port '587'",
      "\tlist port '25'",
      "\tlist allow '2001:db8::/32'",
      "\tlist allow '203.0.113.25/32'",
      "\tlist wan_device 'wan'",
    ].join('\n'),
  ),
);

test('policyView: the policy in the snake_case words of the config', () => {
  assert.equal(policyView(config.policy), {
    enabled: true,
    action: 'reject',
    ports: [25, 587],
    allow: ['203.0.113.25', '2001:db8::/32'],
    wan_devices: ['wan'],
    families: ['ipv4', 'ipv6'],
  });
  assert.equal(policyView(policy({ enabled: '0' })), {
    enabled: false,
    action: 'drop',
    ports: [25],
    allow: [],
    wan_devices: [],
    families: ['ipv4', 'ipv6'],
  });
});

test('a report with drift and counters', () => {
  const report = statusReport({
    config,
    decision: { name: 'nftables', reason: 'fw4 and nft found' },
    drift: ['table inet op25b is missing'],
    counters: {
      blockedPackets: 6,
      blockedBytes: 400,
      topSources: [
        { address: '198.51.100.2', attempts: 3 },
        { address: '2001:db8::2', attempts: 2 },
      ],
    },
    runtime: 'quickjs',
    now: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
  });
  assert.equal(report, {
    agent: { version: AGENT_VERSION, runtime: 'quickjs' },
    policy: policyView(config.policy),
    backend: { name: 'nftables', reason: 'fw4 and nft found' },
    applied: false,
    drift: ['table inet op25b is missing'],
    counters: {
      blocked_packets: 6,
      blocked_bytes: 400,
      top_sources: [
        { address: '198.51.100.2', attempts: 3 },
        { address: '2001:db8::2', attempts: 2 },
      ],
    },
    checked_at: '2026-01-02T03:04:05.678Z',
  });
});

test('no drift means applied; the report survives JSON', () => {
  const report = statusReport({
    config,
    decision: { name: 'iptables', reason: "backend 'iptables' set in config" },
    drift: [],
    counters: NO_COUNTERS,
    runtime: 'node',
    now: 0,
  });
  assert.is(report.applied, true);
  assert.equal(report.drift, []);
  assert.equal(report.counters, { blocked_packets: 0, blocked_bytes: 0, top_sources: [] });
  assert.is(report.checked_at, '1970-01-01T00:00:00.000Z');
  assert.equal(JSON.parse(JSON.stringify(report)), report);
  assert.equal(Object.keys(report), [
    'agent',
    'policy',
    'backend',
    'applied',
    'drift',
    'counters',
    'checked_at',
  ]);
});

test('the version is "dev" when run from source', () => {
  assert.is(AGENT_VERSION, 'dev');
});

test.run();
