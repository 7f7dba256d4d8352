// The simulated router's pure core: its documents fit schemas/, and it answers desired states
// and commands as the agent does, with the agent's own verification code.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateMessage, type MessageKind } from '../../contract/validate.ts';
import { SimulatedRouter } from '../../sim/router-model.ts';
import type { Profile } from '../../sim/profiles.ts';
import { seededRandom } from '../../sim/random.ts';
import { makeIsp } from '../unit/remote/tokens.ts';

const isp = await makeIsp();
const forger = await makeIsp();
const ID = '02f500000001';
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const S = Math.floor(T0 / 1000);

function router(profile: Profile = 'quiet', signed = true): SimulatedRouter {
  return new SimulatedRouter({
    id: ID,
    index: 1,
    profile,
    verifyKey: signed ? isp.publicKey : null,
    random: seededRandom(7),
    now: T0,
  });
}

function valid(kind: MessageKind, document: unknown): void {
  const { valid, errors } = validateMessage(kind, JSON.parse(JSON.stringify(document)));
  assert.ok(valid, `${kind} ${JSON.stringify(document)}: ${errors.join('; ')}`);
}

const desired = (claims: Record<string, unknown>, exp = S + 3600, sub = ID) =>
  isp.sign(claims, { sub, exp, iat: S });
const send = (r: SimulatedRouter, payload: string, at = T0) =>
  r.onDesired(payload, Buffer.byteLength(payload), at);
const command = (r: SimulatedRouter, payload: string, at = T0) =>
  r.onCommand(payload, Buffer.byteLength(payload), at);

test('every profile publishes a state, a Will and a status that fit the schemas', () => {
  for (const profile of ['quiet', 'infected', 'static', 'flaky', 'error'] as const) {
    const r = router(profile);
    valid('state', r.state(true, T0));
    valid('state', r.state(false, T0));
    valid('status', r.status(T0 + 600_000));
    assert.match(r.boot, /^[0-9a-f]{16}$/);
    assert.is(r.status(T0).agent.boot, r.boot);
  }
});

test('an infected router counts growing blocked attempts from LAN sources; quiet ones none', () => {
  const infected = router('infected');
  const early = infected.status(T0 + 60_000).counters;
  const later = infected.status(T0 + 3_600_000).counters;
  assert.ok(later.blocked_packets > early.blocked_packets, JSON.stringify([early, later]));
  assert.ok(later.top_sources.length >= 1 && later.top_sources.length <= 3);
  assert.is(later.blocked_bytes, later.blocked_packets * 60);
  const sum = later.top_sources.reduce((n, s) => n + s.attempts, 0);
  assert.is(sum, later.blocked_packets);
  assert.is(router('quiet').status(T0 + 3_600_000).counters.blocked_packets, 0);
});

test('a static business customer has the block off; the error router reports why', () => {
  const stat = router('static').status(T0);
  assert.is(stat.policy.enabled, false);
  assert.is(stat.device.wan_proto, 'static');
  const broken = router('error').status(T0);
  assert.is(broken.enforcement.applied, false);
  assert.equal(broken.enforcement.drift, ['table inet op25b is missing']);
  assert.is(broken.last_error?.code, 'firewall_failed');
});

test('a correctly signed desired state is applied and answered ok, then by the version rules', async () => {
  const r = router('infected');
  const first = send(r, await desired({ version: 8, enabled: false }));
  assert.equal(first.reply, { version: 8, ok: true });
  assert.ok(first.statusChanged);
  const status = r.status(T0 + 3_600_000);
  assert.equal(
    [status.policy.version, status.policy.source, status.policy.enabled],
    [8, 'remote', false],
  );
  assert.is(status.counters.blocked_packets, 0, 'no rule, no count');
  // Re-signed with a fresh expiry: the same content.
  const again = send(r, await desired({ enabled: false, version: 8 }, S + 7200));
  assert.equal(again.reply, { version: 8, ok: true, note: 'already applied' });
  assert.is(again.statusChanged, false);
  const conflict = send(r, await desired({ version: 8, enabled: true }));
  assert.is(conflict.reply.error?.code, 'version_conflict');
  const stale = send(r, await desired({ version: 7, enabled: true }));
  assert.is(stale.reply.error?.code, 'stale_version');
  assert.is(r.appliedVersion, 8);
  for (const outcome of [first, again, conflict, stale]) valid('reply', outcome.reply);
});

test('forged, unsigned, expired and misaddressed desired states are refused with the agent codes', async () => {
  const cases: [string, string][] = [
    [
      await forger.sign({ version: 9, enabled: false }, { sub: ID, exp: S + 3600 }),
      'bad_signature',
    ],
    ['{"version":9,"enabled":false}', 'unsigned'],
    [await desired({ version: 9, enabled: false }, S - 120), 'expired'],
    [await desired({ version: 9, enabled: false }, S + 3600, '02f5ffffffff'), 'wrong_device'],
    [await desired({ version: 9, enabled: false, enable: true }), 'unknown_field'],
    [isp.signRaw({ alg: 'HS256' }, '{"version":9}'), 'unsupported_algorithm'],
  ];
  for (const [payload, code] of cases) {
    const r = router();
    const outcome = send(r, payload);
    assert.is(outcome.reply.ok, false);
    assert.is(outcome.reply.error?.code, code, payload);
    // As agent/remote/desired-message.ts does: the version only from authentic claims (a verified
    // JWS refused afterwards); a forged, unsigned or unverifiable one echoes null.
    const authentic = ['expired', 'wrong_device', 'unknown_field'].includes(code);
    assert.is(outcome.reply.version, authentic ? 9 : null, payload);
    valid('reply', outcome.reply);
    assert.is(r.appliedVersion, 0, 'nothing applied');
    assert.is(r.status(T0).last_error?.code, code);
  }
});

test('without a verification key the router takes JSON and refuses a JWS', async () => {
  const r = router('quiet', false);
  assert.equal(send(r, '{"version":3,"enabled":true,"ports":[25,465]}').reply, {
    version: 3,
    ok: true,
  });
  assert.equal(r.status(T0).policy.ports, [25, 465]);
  assert.is(
    send(r, await desired({ version: 4, enabled: true })).reply.error?.code,
    'no_verify_key',
  );
});

test('the error router stores a desired state but answers firewall_failed, as the agent does', async () => {
  const r = router('error');
  const outcome = send(r, await desired({ version: 5, enabled: true }));
  assert.is(outcome.reply.error?.code, 'firewall_failed');
  assert.is(r.appliedVersion, 5);
});

test('commands: report before its reply, verify with a result, reapply restarts the counters, replays refused', async () => {
  const r = router('infected');
  const cmd = (claims: Record<string, unknown>, exp = S + 300) =>
    isp.sign(claims, { sub: ID, exp });
  const report = command(r, await cmd({ id: 'c1', op: 'report' }));
  assert.equal(report, {
    reply: { id: 'c1', ok: true },
    statusBeforeReply: true,
    statusAfterReply: false,
  });
  const verify = command(r, await cmd({ id: 'c2', op: 'verify' }));
  assert.equal(verify.reply, { id: 'c2', ok: true, result: { applied: true, drift: [] } });
  const replay = command(r, await cmd({ id: 'c1', op: 'report' }));
  const hour = T0 + 3_600_000;
  assert.ok(r.status(hour).counters.blocked_packets > 0);
  const reapply = command(r, await cmd({ id: 'c3', op: 'reapply' }, S + 3600 + 300), hour);
  assert.equal(reapply.reply, { id: 'c3', ok: true });
  assert.ok(reapply.statusAfterReply);
  assert.is(r.status(hour).counters.blocked_packets, 0);
  assert.is(replay.reply.error?.code, 'replayed');
  const tooLong = command(r, await cmd({ id: 'c4', op: 'verify' }, S + 7200));
  assert.is(tooLong.reply.error?.code, 'expiry_too_far');
  const forged = command(
    r,
    await forger.sign({ id: 'c5', op: 'verify' }, { sub: ID, exp: S + 60 }),
  );
  assert.equal(forged.reply.id, null); // only authentic claims are echoed (agent/remote/command.ts)
  assert.is(forged.reply.error?.code, 'bad_signature');
  for (const o of [report, verify, reapply, replay, tooLong, forged]) valid('reply', o.reply);
});

test('a reboot gives a new boot id and keeps the applied desired state', async () => {
  const r = router();
  send(r, await desired({ version: 11, enabled: true }));
  const before = r.boot;
  r.reboot(T0 + 1000);
  assert.is.not(r.boot, before);
  const status = r.status(T0 + 2000);
  assert.is(status.policy.version, 11);
  assert.is(status.agent.started_at, new Date(T0 + 1000).toISOString());
});

test.run();
