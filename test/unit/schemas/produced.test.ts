// (a) Documents the agent's own code produces fit the schemas, and documents that break the
// contract do not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Enforcer } from '../../../agent/daemon/enforcer.ts';
import { FirewallError, type FirewallBackend } from '../../../agent/firewall/backend.ts';
import { InputError } from '../../../agent/input-error.ts';
import type { Logger } from '../../../agent/log/logger.ts';
import { effectivePolicy } from '../../../agent/policy/effective-policy.ts';
import { commandIdHint, parseCommandMessage } from '../../../agent/remote/command.ts';
import { parseDesiredMessage, versionHint } from '../../../agent/remote/desired-message.ts';
import { desiredFromObject } from '../../../agent/remote/desired-state.ts';
import {
  commandReply,
  desiredReply,
  errorObject,
  stateMessage,
} from '../../../agent/remote/messages.ts';
import type { Runtime } from '../../../agent/runtime/runtime.ts';
import { statusReport, type StatusInput } from '../../../agent/status/status-report.ts';
import {
  assertValidMessage,
  validateMessage,
  type MessageKind,
} from '../../../contract/validate.ts';
import { BOOT, config, NOW_MS, payload, unsigned } from './fixtures.ts';

function invalid(kind: MessageKind, document: unknown): void {
  assert.not.ok(validateMessage(kind, document).valid, `${JSON.stringify(document)} passed`);
}

const baseStatus: StatusInput = {
  effective: effectivePolicy(config.policy, null),
  enforcement: {
    decision: { name: 'nftables', reason: 'fw4 and nft found' },
    applied: true,
    drift: [],
    verifiedAt: NOW_MS - 1000,
    repairs: 0,
  },
  counters: { blockedPackets: 0, blockedBytes: 0, topSources: [] },
  device: { id: 'cpe-0001' },
  agent: { runtime: 'quickjs', boot: BOOT, startedAt: NOW_MS - 60_000, daemon: true },
  lastError: null,
  now: NOW_MS,
};

test('state: online, and the Last Will (offline)', () => {
  assertValidMessage('state', stateMessage(true, BOOT, NOW_MS));
  assertValidMessage('state', stateMessage(false, BOOT, NOW_MS));
});

test('state: broken documents are refused', () => {
  const good = stateMessage(true, BOOT, NOW_MS);
  invalid('state', { ...good, extra: 1 });
  invalid('state', { ...good, online: 'yes' });
  invalid('state', { ...good, boot: 'not hex at all!' });
  invalid('state', { ...good, at: 'yesterday' });
  invalid('state', { ...good, at: NOW_MS });
  const { agent_version: _, ...noVersion } = good;
  invalid('state', noVersion);
});

test('status: the daemon with the config policy in force', () => {
  assertValidMessage('status', statusReport(baseStatus));
});

test('status: a desired state in force, counters, device details, an error', () => {
  const desired = desiredFromObject({
    version: 12,
    enabled: true,
    action: 'drop',
    allow: ['198.51.100.0/24'],
    ports: [25, 465],
  });
  const document = statusReport({
    ...baseStatus,
    effective: effectivePolicy(config.policy, desired),
    counters: {
      blockedPackets: 31,
      blockedBytes: 1860,
      topSources: [
        { address: '198.51.100.10', attempts: 30 },
        { address: '2001:db8:1::10', attempts: 1 },
      ],
    },
    device: {
      id: 'cpe-0001',
      model: 'Example AX3000',
      board: 'example,ax3000',
      release: 'OpenWrt 24.10.0',
      wanProto: 'pppoe',
    },
    lastError: { code: 'bad_signature', message: 'signature does not verify', at: NOW_MS - 5 },
  });
  assert.is(document.policy.source, 'remote');
  assertValidMessage('status', document);
});

test('status: the block switched off by the ISP', () => {
  const off = effectivePolicy(config.policy, desiredFromObject({ version: 3, enabled: false }));
  assertValidMessage('status', statusReport({ ...baseStatus, effective: off }));
});

test('status: the one-shot status command (no daemon, no device id)', () => {
  assertValidMessage(
    'status',
    statusReport({
      ...baseStatus,
      enforcement: {
        decision: {
          name: 'iptables',
          reason: 'fw4 not found, iptables-restore found (fw3 firewall)',
        },
        applied: false,
        drift: ['table inet op25b is missing'],
        verifiedAt: NOW_MS,
        repairs: 0,
      },
      device: { id: null },
      agent: { runtime: 'node', boot: null, startedAt: null, daemon: false },
    }),
  );
});

const silent: Logger = { error() {}, warn() {}, info() {}, debug() {} };
const clock = { now: () => NOW_MS } as unknown as Runtime;

test('status: after the enforcer repaired drift (last_repair)', async () => {
  let verifies = 0;
  const backend: FirewallBackend = {
    name: 'nftables',
    apply: async () => ({ changed: true }),
    verify: async () => (verifies++ === 0 ? ['table inet op25b is missing'] : []),
    counters: async () => ({ blockedPackets: 2, blockedBytes: 120, topSources: [] }),
    remove: async () => {},
    render: () => '',
  };
  const enforcer = new Enforcer(clock, backend, { name: 'nftables', reason: 'test' }, silent);
  const off = effectivePolicy(config.policy, desiredFromObject({ version: 1, enabled: false }));
  const { repaired } = await enforcer.check(off.policy);
  assert.ok(repaired);
  const document = statusReport({
    ...baseStatus,
    effective: off,
    enforcement: enforcer.enforcement,
    counters: await enforcer.counters(),
  });
  assert.is(document.enforcement.repairs, 1);
  assertValidMessage('status', document);
});

test('status: broken documents are refused', () => {
  const good = statusReport(baseStatus);
  invalid('status', { ...good, extra: true });
  invalid('status', { ...good, policy: { ...good.policy, source: 'isp' } });
  invalid('status', { ...good, policy: { ...good.policy, ports: [] } });
  invalid('status', { ...good, policy: { ...good.policy, ports: [0] } });
  invalid('status', { ...good, policy: { ...good.policy, version: -1 } });
  invalid('status', { ...good, policy: { ...good.policy, allow: ['0.0.0.0/0'] } });
  invalid('status', { ...good, enforcement: { ...good.enforcement, backend: 'pf' } });
  invalid('status', { ...good, enforcement: { ...good.enforcement, verified_at: 12 } });
  invalid('status', { ...good, enforcement: { ...good.enforcement, last_repair: {} } });
  invalid('status', {
    ...good,
    counters: {
      ...good.counters,
      top_sources: [{ address: '198.51.100.1', attempts: 0 }],
    },
  });
  invalid('status', { ...good, device: { id: 'cpe-0001', serial: 'x' } });
  invalid('status', { ...good, agent: { ...good.agent, boot: null } }); // daemon: true
  invalid('status', { ...good, agent: { ...good.agent, daemon: false } }); // boot set
  invalid('status', { ...good, last_error: { code: 'x', message: 'y' } });
  invalid('status', { ...good, reported_at: null });
});

test('reply to a desired state: applied, already applied, refused', () => {
  assertValidMessage('reply', desiredReply(7, null));
  assertValidMessage('reply', desiredReply(7, null, 'already applied'));
  assertValidMessage(
    'reply',
    desiredReply(6, { code: 'stale_version', message: 'version 6 is older than 7' }),
  );
  assertValidMessage('reply', desiredReply(8, errorObject(new FirewallError('nft: exit 1'))));
  assertValidMessage('reply', desiredReply(8, errorObject(new Error('boom'))));
  assertValidMessage('reply', desiredReply(8, errorObject('not even an Error')));
});

test('reply to a command: done, verify result, refused', () => {
  assertValidMessage('reply', commandReply('c-1', null));
  assertValidMessage('reply', commandReply('c-2', null, { applied: true, drift: [] }));
  assertValidMessage(
    'reply',
    commandReply('c-3', null, { applied: false, drift: ['table inet op25b is missing'] }),
  );
  assertValidMessage(
    'reply',
    commandReply('c-4', { code: 'replayed', message: 'command c-4 was already received' }),
  );
});

// The daemon answers a rejected message with the version or id it could still read.
const badDesired: unknown[] = [
  '{not json',
  [],
  { version: 1 },
  { version: -1, enabled: true },
  { version: 1.5, enabled: true },
  { version: 2, enabled: true, colour: 'red' },
  { version: 3, enabled: true, allow: ['198.51.100.7/24'] },
  { version: 4, enabled: true, ports: [70000] },
  'a.b.c',
];

for (const document of badDesired)
  test(`reply to the rejected desired state ${JSON.stringify(document)}`, () => {
    const [text, bytes] = payload(document);
    let error: unknown;
    try {
      parseDesiredMessage(text, bytes, unsigned);
    } catch (e) {
      error = e;
    }
    assert.instance(error, InputError);
    assertValidMessage('reply', desiredReply(versionHint(error), errorObject(error)));
  });

const badCommands: unknown[] = [
  '{',
  { op: 'report' },
  { id: 'has space', op: 'report' },
  { id: 'c-9', op: 'reboot' },
  { id: 'c-10', op: 'verify', args: [] },
  'x.y.z',
];

for (const document of badCommands)
  test(`reply to the rejected command ${JSON.stringify(document)}`, () => {
    const [text, bytes] = payload(document);
    let error: unknown;
    try {
      parseCommandMessage(text, bytes, unsigned);
    } catch (e) {
      error = e;
    }
    assert.instance(error, InputError);
    const reply = commandReply(commandIdHint(error), errorObject(error));
    assertValidMessage('reply', reply);
  });

test('reply: broken documents are refused', () => {
  const failure = { code: 'bad_signature', message: 'no' };
  invalid('reply', { version: 1, ok: true, error: failure }); // ok with an error
  invalid('reply', { version: 1, ok: false }); // failure without one
  invalid('reply', { id: 'c', ok: false }); // failure without one
  invalid('reply', { version: 1, id: 'c', ok: true }); // both kinds at once
  invalid('reply', { ok: true }); // neither
  invalid('reply', { version: 1, ok: false, error: { ...failure, at: NOW_MS } });
  invalid('reply', { version: 1, ok: true, result: { applied: true, drift: [] } });
  invalid('reply', { id: 'c', ok: false, error: failure, result: { applied: true, drift: [] } });
  invalid('reply', { id: 'c', ok: true, result: { applied: true } });
  invalid('reply', { id: 'c', ok: true, note: 'already applied' });
  invalid('reply', { version: '7', ok: true });
  invalid('reply', { version: 7, ok: false, error: { code: 'Bad Code', message: 'x' } });
});

test.run();
