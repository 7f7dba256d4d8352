// Hostile input over a real mosquitto, the daemon under dist/qjs (issue 11, sections 1, 2, 5): a
// retained payload the router cannot read never costs it its connection; floods of stale or
// superseded desired states and of commands are answered, bounded, and do not hold up a valid
// change; a full or read-only state_dir is `storage_failed` in the reply and in the status alike.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BACKENDS } from '../testbed/index.ts';
import type { Agent, Rig } from './create-rig.ts';
import { desiredFile } from './flash.ts';
import { nextStatus, parse, replies, request, type Reply } from './messages.ts';
import { expectSameRuleset } from './ruleset.ts';
import { suiteRig } from './suite-rig.ts';
import { T } from './topics.ts';
import { sleep, waitUntil } from './waits.ts';

const test = suite('mqtt: hostile input (nftables, MQTT 5 over TLS)');
let agent: Agent | null = null;

const theRig = suiteRig(test, { backend: BACKENDS.nftables }, async (rig) => {
  agent = await rig.startAgent(rig.config());
});
const theAgent = (): Agent => {
  if (agent) return agent;
  throw new Error('the agent did not start (see the first test)');
};

const rssKb = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

/** The daemon's transport program (openssl s_client for mqtts://). */
function transportPid(a: Agent): number {
  const pid = a.daemon
    .children()
    .find((p) => /openssl|socat/.test(readFileSync(`/proc/${p}/cmdline`, 'utf8')));
  if (pid === undefined) throw new Error('no transport program found');
  return pid;
}

test('a retained 70,000-byte 0xff desired is refused once per arrival; the link stays up', async () => {
  const r = theRig();
  const a = theAgent();
  const logFrom = a.daemon.log().length;
  const from = r.isp.messages.length;
  const published = await r.isp.publishFilled(T.desired, 70_000, { retain: true, byte: 0xff });
  assert.ok(published.ok, JSON.stringify(published));
  const refused = await r.isp.waitMessage((m) => m.topic === T.reply, 5000, from, 'the refusal');
  assert.equal(parse<Reply>(refused).error?.code, 'payload_too_large');
  assert.is(parse<Reply>(refused).version, null);
  // Connected and answering while the payload stands retained.
  const answer = await request(r, T.cmd, JSON.stringify({ id: 'after-big', op: 'report' }));
  assert.ok(answer.ok, JSON.stringify(answer));
  // One more arrival (a reconnect: the broker delivers the retained message again), one more
  // refusal; and no reconnect caused by the message itself.
  const again = r.isp.messages.length;
  process.kill(transportPid(a), 'SIGKILL');
  await a.daemon.waitLog(/MQTT: connected to /, 10_000, logFrom + 1);
  const second = await r.isp
    .waitMessage((m) => m.topic === T.reply, 5000, again, 'refusal 2')
    .catch((e) => {
      console.log(a.daemon.log().slice(logFrom));
      throw e;
    });
  assert.equal(parse<Reply>(second).error?.code, 'payload_too_large');
  await sleep(500);
  const refusals = replies(r, from).filter((p) => p.error?.code === 'payload_too_large');
  assert.is(refusals.length, 2, JSON.stringify(replies(r, from)));
  const log = a.daemon.log().slice(logFrom);
  assert.is(log.match(/reconnecting in/g)?.length ?? 0, 1, log); // the one the kill caused
  // Clear the retained message (an empty retained payload deletes it at the broker).
  const cleared = r.isp.messages.length;
  await r.isp.publish(T.desired, '', { retain: true });
  await r.isp.waitMessage(
    (m) => m.topic === T.reply && parse<Reply>(m).error?.code === 'malformed_json',
    5000,
    cleared,
    'the refusal of the empty payload',
  );
});

test('stale 256-entry desired states are refused by version; a valid change is not held up', async () => {
  const r = theRig();
  const a = theAgent();
  const applied = await request(r, T.desired, JSON.stringify({ version: 10, enabled: true }));
  assert.ok(applied.ok, JSON.stringify(applied));
  const allow = Array.from({ length: 256 }, (_, i) => `2001:db8:${(i + 1).toString(16)}::/48`);
  const stale = JSON.stringify({ version: 5, enabled: false, allow });
  let started = performance.now();
  const one = await request(r, T.desired, stale);
  const oneMs = performance.now() - started;
  assert.is(one.error?.code, 'stale_version');
  const rssIdle = rssKb(a.daemon.pid);
  const from = r.isp.messages.length;
  for (let i = 0; i < 20; i++) await r.isp.publish(T.desired, stale, { qos: 0 });
  started = performance.now();
  await r.isp.publish(T.desired, JSON.stringify({ version: 11, enabled: false }));
  const validMessage = await r.isp.waitMessage(
    (m) => m.topic === T.reply && parse<Reply>(m).version === 11,
    10_000,
    from,
    'the reply to version 11',
  );
  const validMs = performance.now() - started;
  const valid = parse<Reply>(validMessage);
  assert.ok(valid.ok, JSON.stringify(valid));
  await sleep(300);
  const answered = replies(r, from);
  // Each of the 21 answered exactly once: stale_version, or superseded while one was handled.
  assert.is(answered.length, 21, JSON.stringify(answered));
  for (const reply of answered.slice(0, 20))
    assert.ok(
      ['stale_version', 'superseded'].includes(reply.error?.code ?? ''),
      JSON.stringify(reply),
    );
  assert.equal(JSON.parse(desiredFile(a) ?? 'null'), { version: 11, enabled: false });
  console.log(
    `  one stale 256-entry desired refused in ${oneMs.toFixed(0)} ms; after 20 of them, ` +
      `a valid change answered in ${validMs.toFixed(0)} ms; RSS ${rssIdle} kB before, ` +
      `${rssKb(a.daemon.pid)} kB after`,
  );
});

/** Sends 200 commands at once (half with 12 KB of padding) and waits for their 200 replies. */
async function flood(r: Rig, round: number): Promise<Reply[]> {
  const from = r.isp.messages.length;
  const padding = 'x'.repeat(12_000); // an unknown field: refused after parsing
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < 200; i++) {
    const id = `flood-${round}-${i}`;
    const body = i % 2 === 0 ? { id, op: 'report' } : { id, op: 'report', padding };
    sends.push(r.isp.publish(T.cmd, JSON.stringify(body), { qos: 0 }));
  }
  await Promise.all(sends);
  await waitUntil(
    'a reply to every command',
    () => (replies(r, from).length >= 200 ? true : undefined),
    30_000,
  );
  return replies(r, from);
}

test('floods of commands: each answered once (ok, or busy past the bound); memory bounded', async () => {
  const r = theRig();
  const a = theAgent();
  const rss = [rssKb(a.daemon.pid)];
  let busy = 0;
  for (let round = 0; round < 4; round++) {
    const answered = await flood(r, round);
    // A `busy` answer is given before the command is read, so it echoes no id (only authentic
    // claims are echoed); every other answer names its command, once.
    assert.is(answered.length, 200);
    const named = answered.filter((p) => p.id !== null);
    assert.is(new Set(named.map((p) => p.id)).size, named.length);
    for (const reply of answered.filter((p) => p.id === null))
      assert.is(reply.error?.code, 'busy', JSON.stringify(reply));
    for (const reply of answered)
      assert.ok(
        reply.ok || ['busy', 'unknown_field'].includes(reply.error?.code ?? ''),
        JSON.stringify(reply),
      );
    busy += answered.filter((p) => p.error?.code === 'busy').length;
    rss.push(rssKb(a.daemon.pid));
  }
  const later = await request(r, T.cmd, JSON.stringify({ id: 'after-flood', op: 'verify' }));
  assert.ok(later.ok, JSON.stringify(later));
  console.log(`  4 x 200 commands: ${busy} busy; RSS ${rss.join(' -> ')} kB`);
  // Measured: +3.4 MB after the first flood (allocator and GC high-water mark), then less each
  // time, flat from the fifth flood on (11.8 MB); nothing is kept per message.
  assert.ok(rss[4]! < rss[0]! + 8 * 1024, `RSS grew: ${rss.join(' -> ')} kB`);
});

test('hostile JSON gets its documented code over the wire', async () => {
  const r = theRig();
  const cases: [string, string][] = [
    ['{"version":30.,"enabled":true}', 'malformed_json'],
    ['{"version":30,"enabled":true,"allow":[{"toString":"203.0.113.25"}]}', 'invalid_address'],
    [
      `{"version":30,"enabled":true,"allow":${'['.repeat(150)}${']'.repeat(150)}}`,
      'malformed_json',
    ],
    ['{"version":30,"enabled":true,"ports":[{"toString":"25"}]}', 'invalid_port'],
  ];
  for (const [payload, code] of cases) {
    const reply = await request(r, T.desired, payload);
    assert.is(reply.error?.code, code, payload.slice(0, 80));
  }
  assert.equal(JSON.parse(desiredFile(theAgent()) ?? 'null'), { version: 11, enabled: false });
});

// ---- state_dir full or read-only: a tmpfs of 64 KiB of our own ------------------------------

test('a full or read-only state_dir: storage_failed with the cause, in reply and status', async () => {
  const r = theRig();
  await theAgent().daemon.kill(); // the same broker identity is used below
  const mount = join(r.dir, 'small-state');
  mkdirSync(mount, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount]);
  let other: Agent | null = null;
  try {
    const stateDir = join(mount, 'state');
    mkdirSync(stateDir);
    // What a kill between write and rename leaves: removed at start.
    writeFileSync(join(stateDir, 'desired.json.tmp-mabc-0'), '');
    const base = r.config();
    other = await r.startAgent({ ...base, agent: { ...base.agent, state_dir: stateDir } });
    assert.equal(readdirSync(stateDir), []);
    assert.match(other.daemon.log(), /removed unfinished writes from state_dir/);
    const first = await request(r, T.desired, JSON.stringify({ version: 40, enabled: true }));
    assert.ok(first.ok, JSON.stringify(first));
    const before = await r.bed.snapshot();

    // Full: fill the tmpfs to the last block.
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${join(mount, 'fill')}`, 'bs=4k'], {
        stdio: 'ignore',
      });
    } catch {
      // dd ends with "No space left on device": that is the point
    }
    let from = r.isp.messages.length;
    const full = await request(r, T.desired, JSON.stringify({ version: 41, enabled: false }));
    assert.is(full.error?.code, 'storage_failed', JSON.stringify(full));
    assert.match(full.error?.message ?? '', /No space left on device/);
    const status = await nextStatus(r, from, (s) => s.last_error !== null);
    assert.equal(
      status.last_error && { code: status.last_error.code, message: status.last_error.message },
      full.error,
    );
    assert.is(status.policy.version, 40);
    expectSameRuleset(before, await r.bed.snapshot(), 'after the failed write');
    assert.equal(JSON.parse(readFileSync(join(stateDir, 'desired.json'), 'utf8')), {
      version: 40,
      enabled: true,
    });
    assert.equal(readdirSync(stateDir), ['desired.json']); // no temporary file left behind

    // Read-only (in the daemon's own mount namespace, where it sees the tmpfs).
    execFileSync('rm', [join(mount, 'fill')]);
    execFileSync('nsenter', [
      '-t',
      String(other.daemon.pid),
      '-m',
      'mount',
      '-o',
      'remount,ro',
      mount,
    ]);
    from = r.isp.messages.length;
    const ro = await request(r, T.desired, JSON.stringify({ version: 42, enabled: false }));
    assert.is(ro.error?.code, 'storage_failed', JSON.stringify(ro));
    assert.match(ro.error?.message ?? '', /Read-only file system/);
    const roStatus = await nextStatus(r, from, (s) => s.last_error?.code === 'storage_failed');
    assert.match(roStatus.last_error?.message ?? '', /Read-only file system/);
    expectSameRuleset(before, await r.bed.snapshot(), 'after the read-only write');
  } finally {
    await other?.daemon.kill();
    execFileSync('umount', ['-l', mount]);
  }
  assert.not.ok(existsSync(join(mount, 'state')));
});

test.run();
