// The daemon's life around the broker and its signals: SIGTERM, a start while the broker is
// down (state_dir survives between runs), a broker killed and restarted mid-run, SIGHUP reloads,
// and SIGKILL (the Last Will). Enforcement is checked in the kernel at every step.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BACKENDS,
  BROKER_ADDRESS,
  daemonUci,
  PLAN,
  SMTP_PORT,
  TLS_PORT,
  type PolicyConfig,
  type UciOptions,
} from '../testbed/index.ts';
import { expectTraffic } from '../integration/support.ts';
import { isRunning, pidCommand } from '../mqtt/processes.ts';
import { KEEPALIVE_S, type Agent } from './create-rig.ts';
import { desiredFile } from './flash.ts';
import {
  nextPresence,
  nextStatus,
  parse,
  request,
  retainedOf,
  type PresenceMessage,
  type Reply,
  type StatusDocument,
} from './messages.ts';
import { agentRulesPresent, expectSameRuleset } from './ruleset.ts';
import { suiteRig } from './suite-rig.ts';
import { ROUTER, T } from './topics.ts';
import { expectBlock } from './traffic.ts';
import { sleep, WAIT_MS, waitUntil } from './waits.ts';
import { expectMessagesMatchSchemas } from './schemas.ts';

const test = suite('mqtt: daemon lifecycle (nftables, MQTT 5 over TLS)');
/** The router's flash and tmpfs: the same for every run of the daemon in this file. */
let home = '';
let agent: Agent | null = null;
/** The agent the SIGKILL test left, with the helpers it left behind. */
let killed: { agent: Agent; children: number[] } | null = null;
let boot = '';

const theRig = suiteRig(test, { backend: BACKENDS.nftables }, async (rig) => {
  home = join(rig.dir, 'router-a-home');
});
const theAgent = (): Agent => {
  if (agent) return agent;
  throw new Error('no agent running (see an earlier test)');
};
const config = (policy: PolicyConfig = {}, mqtt: UciOptions = {}) =>
  theRig().config(ROUTER, { home, policy: { enabled: false, ...policy }, mqtt });

test('SIGTERM: exit 0, retained presence online:false with the same boot, the rules stay', async () => {
  const r = theRig();
  await r.isp.publish(T.desired, JSON.stringify({ version: 1, enabled: true }), { retain: true });
  const from = r.isp.messages.length;
  const a = await r.startAgent(config());
  boot = (await nextPresence(r, from, (p) => p.online)).boot;
  await waitUntil('desired v1 on flash', () => desiredFile(a) ?? undefined);
  await expectBlock(r, true);
  const rules = await r.bed.snapshot();
  assert.ok(existsSync(join(a.runDir, 'daemon.pid')), 'no pid file while running');

  const children = a.daemon.children();
  assert.ok(children.length >= 1, 'the daemon runs no transport program?');
  const bye = r.isp.messages.length;
  a.daemon.signal('SIGTERM');
  const exit = await a.daemon.waitExit(WAIT_MS);
  assert.equal(exit, { code: 0, signal: null }, a.daemon.log());
  const offline = await nextPresence(r, bye, (p) => !p.online);
  assert.is(offline.boot, boot);
  const retained = JSON.parse((await retainedOf(r, T.state)) ?? 'null') as PresenceMessage;
  assert.is(retained?.online, false);
  assert.is(retained?.boot, boot);
  expectSameRuleset(rules, await r.bed.snapshot(), 'after SIGTERM');
  await expectBlock(r, true);
  assert.not.ok(existsSync(join(a.runDir, 'daemon.pid')), 'pid file left behind');
  assert.equal(JSON.parse(desiredFile(a)!), { version: 1, enabled: true });
  await waitUntil(
    `its children (${children.map(pidCommand).join(', ')}) to end`,
    () => (children.every((pid) => !isRunning(pid)) ? true : undefined),
    3000,
  );
});

test('started while the broker is down: the stored desired state is enforced at once, then it connects', async () => {
  const r = theRig();
  // A reboot: the kernel forgets every rule; flash (state_dir) keeps desired.json.
  await r.bed.installBaseline(r.backend);
  assert.not.ok(agentRulesPresent(await r.bed.snapshot()));
  await r.stopBroker();
  const started = performance.now();
  const a = await r.startAgent(config(), { waitConnected: false });
  agent = a;
  await waitUntil('the stored block in the kernel', async () =>
    agentRulesPresent(await r.bed.snapshot()) ? true : undefined,
  );
  const enforcedMs = performance.now() - started;
  await expectBlock(r, true);
  await a.daemon.waitLog(/MQTT: cannot connect/, WAIT_MS);
  // The status CLI sees the daemon's view: the ISP's stored version, enforced.
  const status = await r.cli(['status', '--config', a.configPath]);
  assert.is(status.code, 0, status.stderr);
  const doc = JSON.parse(status.stdout) as StatusDocument;
  assert.is(doc.policy.version, 1);
  assert.is(doc.policy.source, 'remote');
  assert.is(doc.agent.daemon, true);

  await r.startBroker();
  await r.reconnectIsp();
  const from = r.isp.messages.length;
  const presence = await nextPresence(r, from, (p) => p.online);
  assert.is.not(presence.boot, boot, 'a new daemon start must have a new boot id');
  boot = presence.boot;
  // The retained desired state comes again on subscribe: the same version, nothing to do.
  const reply = parse<Reply>(
    await r.isp.waitMessage((m) => m.topic === T.reply, WAIT_MS, from, 'reply'),
  );
  assert.is(reply.version, 1);
  assert.is(reply.ok, true);
  assert.ok(enforcedMs < WAIT_MS, `enforced after ${enforcedMs} ms`);
});

test('broker killed and restarted: enforcement never changes; the agent reconnects, re-announces itself and applies what was retained meanwhile', async () => {
  const r = theRig();
  const a = theAgent();
  const rules = await r.bed.snapshot();
  const logFrom = a.daemon.log().length;
  await r.stopBroker(true); // SIGKILL: no goodbye to anyone
  await a.daemon.waitLog(/MQTT: connection lost/, WAIT_MS, logFrom);
  await sleep(1000);
  expectSameRuleset(rules, await r.bed.snapshot(), 'broker down');
  await expectBlock(r, true);

  // The ISP changes its mind while the router cannot reach the broker.
  await r.startBroker({ tls: false });
  await r.reconnectIsp();
  const published = await r.isp.publish(T.desired, JSON.stringify({ version: 2, enabled: false }), {
    retain: true,
  });
  assert.ok(published.ok, JSON.stringify(published));
  await sleep(500);
  expectSameRuleset(rules, await r.bed.snapshot(), 'broker up without the routers listener');
  await r.stopBroker(); // SIGTERM: mosquitto saves the retained v2

  await r.startBroker();
  await r.reconnectIsp();
  const from = r.isp.messages.length;
  const presence = await nextPresence(r, from, (p) => p.online);
  assert.is(presence.boot, boot, 'the same daemon must announce the same boot id');
  const reply = parse<Reply>(
    await r.isp.waitMessage((m) => m.topic === T.reply, WAIT_MS, from, 'reply v2'),
  );
  assert.equal(reply, { version: 2, ok: true });
  await expectBlock(r, false);
  assert.equal(JSON.parse(desiredFile(a)!), { version: 2, enabled: false });
  assert.ok(a.daemon.running());
});

test('SIGHUP reloads the config: a new wan_device and action take effect; a broken config changes nothing', async () => {
  const r = theRig();
  const a = theAgent();
  const on = await request(r, T.desired, JSON.stringify({ version: 3, enabled: true }), {
    retain: true,
  });
  assert.equal(on, { version: 3, ok: true });
  await expectBlock(r, true);

  // Port 25 now blocked towards lan2 (as if it were the WAN), with drop instead of reject.
  let from = r.isp.messages.length;
  let logFrom = a.daemon.log().length;
  a.rewrite(config({ wanDevices: ['lan2'], action: 'drop' }));
  a.daemon.signal('SIGHUP');
  await a.daemon.waitLog(/config reloaded/, WAIT_MS, logFrom);
  const status = await nextStatus(r, from, (s) => s.policy.wan_devices[0] === 'lan2');
  assert.is(status.policy.action, 'drop');
  await expectTraffic(r.bed, [
    { label: 'lan1 -> lan2 host:25', from: 'lan1', host: PLAN.lan2.host.ipv4, port: SMTP_PORT, expect: 'timeout' },
    { label: 'lan1 -> lan2 host:25 (ipv6)', from: 'lan1', host: PLAN.lan2.host.ipv6, port: SMTP_PORT, expect: 'timeout' },
    { label: 'lan1 -> foreign:25', from: 'lan1', host: PLAN.wan.foreign.ipv4, port: SMTP_PORT, expect: 'connected' },
    { label: 'router -> foreign:25', from: 'router', host: PLAN.wan.foreign.ipv6, port: SMTP_PORT, expect: 'connected' },
  ]); // prettier-ignore
  const reloaded = await r.bed.snapshot();
  assert.match(reloaded.nft, /"lan2"/);
  assert.match(reloaded.nft, /\bdrop\b/);

  // A broken config: logged, and nothing changes (kernel, link, the running config).
  logFrom = a.daemon.log().length;
  a.rewrite(`${daemonUci(config())}\nconfig policy 'policy'\n\toption enabled 'perhaps'\n`);
  a.daemon.signal('SIGHUP');
  await a.daemon.waitLog(/reload failed/, WAIT_MS, logFrom);
  await sleep(300);
  expectSameRuleset(reloaded, await r.bed.snapshot(), 'broken config');
  assert.ok(a.daemon.running(), 'the daemon died on a broken config');
  const report = await request(r, T.cmd, JSON.stringify({ id: 'after-bad-hup', op: 'verify' }));
  assert.equal(report, { id: 'after-bad-hup', ok: true, result: { applied: true, drift: [] } });

  // And back to the WAN, with reject.
  from = r.isp.messages.length;
  logFrom = a.daemon.log().length;
  a.rewrite(config());
  a.daemon.signal('SIGHUP');
  await a.daemon.waitLog(/config reloaded/, WAIT_MS, logFrom);
  await expectBlock(r, true);
  const rules = await r.bed.snapshot();

  // A changed mqtt section: the link says goodbye and comes back, here over IPv6; same boot.
  from = r.isp.messages.length;
  logFrom = a.daemon.log().length;
  a.rewrite(config({}, { broker: `mqtts://[${BROKER_ADDRESS.ipv6}]:${TLS_PORT}` }));
  a.daemon.signal('SIGHUP');
  await a.daemon.waitLog(/MQTT: connected to mqtts:\/\/\[2001:db8:ff::10\]:8883/, WAIT_MS, logFrom);
  await nextPresence(r, from, (p) => p.online);
  const presence = r.isp.messages
    .slice(from)
    .filter((m) => m.topic === T.state)
    .map((m) => parse<PresenceMessage>(m))
    .map((p) => [p.online, p.boot]);
  assert.equal(presence, [
    [false, boot],
    [true, boot],
  ]);
  const retained = JSON.parse((await retainedOf(r, T.state)) ?? 'null') as PresenceMessage;
  assert.equal([retained?.online, retained?.boot], [true, boot]);
  expectSameRuleset(rules, await r.bed.snapshot(), 'relink');
});

test('SIGKILL: the Last Will (online:false, same boot) becomes the retained presence; the rules stay', async () => {
  const r = theRig();
  const a = theAgent();
  const rules = await r.bed.snapshot();
  const from = r.isp.messages.length;
  const transport = a.daemon.children();
  a.daemon.signal('SIGKILL');
  const exit = await a.daemon.waitExit(WAIT_MS);
  assert.is(exit.signal, 'SIGKILL');
  const killedAt = performance.now();
  // The broker publishes the Will when it notices: at once if the connection closes, else when
  // 1.5 keepalive periods pass without a packet. Over TLS the agent's openssl s_client outlives
  // it and holds the connection open, so it is the keepalive (mosquitto 2.0.11 was seen taking
  // 7 to 12 s for keepalive 5).
  const will = await nextPresence(r, from, (p) => !p.online, KEEPALIVE_S * 1500 + 10_000);
  const willMs = Math.round(performance.now() - killedAt);
  assert.is(will.boot, boot);
  const retained = JSON.parse((await retainedOf(r, T.state)) ?? 'null') as PresenceMessage;
  assert.equal([retained?.online, retained?.boot], [false, boot]);
  expectSameRuleset(rules, await r.bed.snapshot(), 'after SIGKILL');
  await expectBlock(r, true);
  const orphans = transport.filter(isRunning).map(pidCommand);
  console.log(
    `  (Will published ${willMs} ms after the SIGKILL; its children still running then: ` +
      `${orphans.length ? orphans.map((c) => c.split(' ').slice(0, 2).join(' ')).join(', ') : 'none'})`,
  );
  killed = { agent: a, children: transport };
  agent = null;
});

test('the next start ends the helpers a SIGKILLed run left behind (run_dir/helpers.pid)', async () => {
  const r = theRig();
  const old = killed;
  if (!old) throw new Error('no SIGKILLed agent (see the test before)');
  try {
    const leftovers = old.children.filter(isRunning);
    // `nft monitor` writes nothing while the rules are left alone: it would live on.
    assert.ok(
      leftovers.some((pid) => /^(\S*\/)?nft monitor$/.test(pidCommand(pid))),
      `nft monitor outlived the SIGKILL: ${leftovers.map(pidCommand).join('; ')}`,
    );
    agent = await r.startAgent(config());
    await agent.daemon.waitLog(/ended helpers an earlier run left behind/, WAIT_MS);
    await waitUntil(`the end of ${leftovers.map(pidCommand).join('; ')}`, () =>
      leftovers.some(isRunning) ? undefined : true,
    );
    const children = agent.daemon.children().map(pidCommand);
    assert.not.ok(
      children.some((c) => /^(\S*\/)?sh /.test(c)),
      children.join('; '),
    );
    await expectBlock(r, true);
  } finally {
    await old.agent.daemon.kill();
    killed = null;
  }
});

test('every message the agent published matches the JSON Schemas (when schemas/ exists)', async () => {
  await expectMessagesMatchSchemas(theRig().isp.messages, ROUTER);
});

test.run();
