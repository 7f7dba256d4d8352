import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configFromUci } from '../../../agent/config/agent-config.ts';
import { parseUci } from '../../../agent/config/uci-parse.ts';
import { NO_COUNTERS } from '../../../agent/firewall/backend.ts';
import { effectivePolicy } from '../../../agent/policy/effective-policy.ts';
import { statusReport, type StatusInput } from '../../../agent/status/status-report.ts';
import { AGENT_VERSION } from '../../../agent/version.ts';

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

const NOW = Date.UTC(2026, 10, 28, 6, 0, 0);

const input: StatusInput = {
  effective: effectivePolicy(config.policy, null),
  enforcement: {
    decision: { name: 'nftables', reason: 'fw4 and nft found' },
    applied: true,
    drift: [],
    verifiedAt: NOW - 1000,
    repairs: 0,
  },
  counters: {
    blockedPackets: 7,
    blockedBytes: 420,
    topSources: [{ address: '198.51.100.10', attempts: 5 }],
  },
  device: { id: 'cpe-0001' },
  agent: { runtime: 'quickjs', boot: 'b00t', startedAt: NOW - 60_000, daemon: true },
  lastError: null,
  now: NOW,
};

test('the document carries the contract fields, in snake_case, times in ISO 8601', () => {
  assert.equal(statusReport(input), {
    policy: {
      enabled: true,
      version: 0,
      source: 'config',
      action: 'reject',
      ports: [25, 587],
      allow: ['203.0.113.25', '2001:db8::/32'],
      wan_devices: ['wan'],
      families: ['ipv4', 'ipv6'],
    },
    enforcement: {
      applied: true,
      backend: 'nftables',
      backend_reason: 'fw4 and nft found',
      verified_at: '2026-11-28T05:59:59.000Z',
      drift: [],
      repairs: 0,
      last_repair: null,
    },
    counters: {
      blocked_packets: 7,
      blocked_bytes: 420,
      top_sources: [{ address: '198.51.100.10', attempts: 5 }],
    },
    device: { id: 'cpe-0001' },
    agent: {
      version: AGENT_VERSION,
      runtime: 'quickjs',
      boot: 'b00t',
      started_at: '2026-11-28T05:59:00.000Z',
      daemon: true,
    },
    last_error: null,
    reported_at: '2026-11-28T06:00:00.000Z',
  });
});

test('a desired state shows as source remote with its version', () => {
  const effective = effectivePolicy(config.policy, {
    version: 12,
    enabled: false,
    allow: ['198.51.100.0/24'],
  });
  const report = statusReport({ ...input, effective });
  assert.equal(
    [report.policy.source, report.policy.version, report.policy.enabled, report.policy.allow],
    ['remote', 12, false, ['198.51.100.0/24']],
  );
  // What the router knows stays the config's: WAN devices, action when not given.
  assert.equal([report.policy.wan_devices, report.policy.action], [['wan'], 'reject']);
});

test('drift, repairs, errors and device details when there are some', () => {
  const report = statusReport({
    ...input,
    enforcement: {
      ...input.enforcement,
      applied: false,
      drift: ['table inet op25b is missing'],
      repairs: 2,
      lastRepair: { at: NOW - 5000, drift: ['chain block rule 5 is missing'] },
    },
    counters: NO_COUNTERS,
    device: { id: 'cpe-0001', model: 'Example AX3000', wanProto: 'pppoe' },
    lastError: { code: 'firewall_failed', message: 'nft -f failed', at: NOW - 10 },
  });
  assert.equal(report.enforcement.drift, ['table inet op25b is missing']);
  assert.equal(report.enforcement.last_repair, {
    at: '2026-11-28T05:59:55.000Z',
    drift: ['chain block rule 5 is missing'],
  });
  assert.equal(report.device, { id: 'cpe-0001', model: 'Example AX3000', wan_proto: 'pppoe' });
  assert.equal(report.last_error, {
    code: 'firewall_failed',
    message: 'nft -f failed',
    at: '2026-11-28T05:59:59.990Z',
  });
  assert.equal(report.counters, { blocked_packets: 0, blocked_bytes: 0, top_sources: [] });
});

test('a one-shot status has no boot, start time or verification time', () => {
  const report = statusReport({
    ...input,
    enforcement: { ...input.enforcement, verifiedAt: null },
    agent: { runtime: 'quickjs', boot: null, startedAt: null, daemon: false },
  });
  assert.equal(
    [report.agent.boot, report.agent.started_at, report.agent.daemon],
    [null, null, false],
  );
  assert.is(report.enforcement.verified_at, null);
});

test.run();
