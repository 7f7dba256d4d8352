// The simulator against a real mosquitto: the contract as the portal sees it.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { topicsFor } from '../../contract/topics.ts';
import { validateMessage, type MessageKind } from '../../contract/validate.ts';
import type { Fleet } from '../../sim/fleet.ts';
import { ROOT } from '../mqtt/helpers.ts';
import { makeIsp } from '../unit/remote/tokens.ts';
import { record, startBroker, testFleet, waitLong, type Broker, type Recorder } from './broker.ts';

const isp = await makeIsp();
const forger = await makeIsp();
let broker: Broker;
let recorder: Recorder;
let fleet: Fleet;

test.before(async () => {
  broker = await startBroker();
  recorder = await record(broker.url);
  fleet = testFleet(broker.url, { routers: 12, verifyKey: isp.publicKey });
  fleet.start();
});

test.after(async () => {
  await fleet?.stop();
  await recorder?.close();
  await broker?.stop();
});

const now = () => Math.floor(Date.now() / 1000);
const quiet = () => fleet.links.find((l) => l.model.profile === 'quiet')!;

function replyTo(id: string, key: 'version' | 'id', value: unknown) {
  return waitLong(`reply of ${id} with ${key} ${String(value)}`, () =>
    recorder.documents('reply', id).find((r) => r[key] === value),
  );
}

test('every router connects, announces itself and reports; every message fits schemas/', async () => {
  await waitLong('all online', () => (fleet.stats.online === 12 ? true : undefined));
  await waitLong('two reports from each', () =>
    fleet.links.every((l) => recorder.documents('status', l.model.id).length >= 2)
      ? true
      : undefined,
  );
  for (const link of fleet.links) {
    const [state] = recorder.documents('state', link.model.id);
    const [status] = recorder.documents('status', link.model.id);
    assert.equal([state?.online, state?.boot], [true, link.model.boot]);
    assert.is((status?.agent as { boot: string }).boot, link.model.boot);
  }
  const statuses = recorder.documents('status');
  assert.ok(
    statuses.some((s) => (s.policy as { enabled: boolean }).enabled === false),
    'a static',
  );
  assert.ok(
    statuses.some((s) => s.last_error !== null),
    'the error router',
  );
});

test('a correctly signed desired state is applied and answered ok', async () => {
  const link = quiet();
  const id = link.model.id;
  const version = now();
  const token = await isp.sign({ version, enabled: false }, { sub: id, exp: now() + 600 });
  await recorder.publish(topicsFor('op25b/v1', id).desired, token, true);
  assert.equal(await replyTo(id, 'version', version), { version, ok: true });
  const status = await waitLong('the new status', () =>
    recorder
      .documents('status', id)
      .find((s) => (s.policy as { version: number }).version === version),
  );
  assert.equal((status.policy as { source: string }).source, 'remote');
  // A signed command gets its answer too.
  const cmd = await isp.sign({ id: 'sim-verify-1', op: 'verify' }, { sub: id, exp: now() + 60 });
  await recorder.publish(topicsFor('op25b/v1', id).cmd, cmd, false);
  assert.equal(await replyTo(id, 'id', 'sim-verify-1'), {
    id: 'sim-verify-1',
    ok: true,
    result: { applied: true, drift: [] },
  });
});

test('status requests are coalesced: at most one a second, as the agent does', async () => {
  const link = fleet.links.filter((l) => l.model.profile === 'quiet')[2]!;
  const id = link.model.id;
  const topics = topicsFor('op25b/v1', id);
  const before = recorder.documents('status', id).length;
  const ids = ['r1', 'r2', 'r3', 'r4', 'r5'].map((n) => `sim-report-${n}`);
  for (const cmdId of ids) {
    const token = await isp.sign({ id: cmdId, op: 'report' }, { sub: id, exp: now() + 60 });
    await recorder.publish(topics.cmd, token, false);
  }
  for (const cmdId of ids) assert.is((await replyTo(id, 'id', cmdId)).ok, true);
  // Each reply came after a status; five requests within a second make at most two (plus,
  // perhaps, the periodic one).
  const made = recorder.documents('status', id).length - before;
  assert.ok(made >= 1 && made <= 3, String(made));
});

test('forged, unsigned and expired desired states are refused with the agent codes', async () => {
  const link = fleet.links.filter((l) => l.model.profile === 'quiet')[1]!;
  const id = link.model.id;
  const desired = topicsFor('op25b/v1', id).desired;
  const cases: [number, string, string][] = [];
  const base = now() + 1000;
  cases.push([
    base,
    await forger.sign({ version: base, enabled: false }, { sub: id, exp: now() + 600 }),
    'bad_signature',
  ]);
  cases.push([base + 1, JSON.stringify({ version: base + 1, enabled: false }), 'unsigned']);
  cases.push([base + 2, await isp.sign({ version: base + 2, enabled: false }, { sub: id, exp: now() - 300 }), 'expired']); // prettier-ignore
  for (const [version, payload, code] of cases) {
    const before = recorder.documents('reply', id).length;
    await recorder.publish(desired, payload, true);
    // Only authentic claims are echoed: the forged and the unsigned one answer with version null.
    const reply = await waitLong(`reply of ${id} to ${code}`, () =>
      recorder
        .documents('reply', id)
        .slice(before)
        .find((r) => r.ok === false),
    );
    assert.is((reply.error as { code: string }).code, code);
    assert.is(reply.version, code === 'expired' ? version : null);
  }
  assert.is(link.model.appliedVersion, 0);
  await recorder.publish(desired, '', true); // clears the retained refusal
});

test('the Last Will appears when a router drops, and it comes back with a new boot', async () => {
  const link = quiet();
  const id = link.model.id;
  const oldBoot = link.model.boot;
  link.drop(300, true);
  const will = await waitLong('the Will', () =>
    recorder.documents('state', id).find((s) => s.online === false && s.boot === oldBoot),
  );
  assert.ok(will);
  const back = await waitLong('back online', () =>
    recorder.documents('state', id).find((s) => s.online === true && s.boot !== oldBoot),
  );
  assert.is(back.boot, link.model.boot);
  // The applied desired state survived the reboot (it is on flash).
  const status = await waitLong('a status of the new run', () =>
    recorder.documents('status', id).find((s) => (s.agent as { boot: string }).boot === back.boot),
  );
  assert.ok((status.policy as { version: number }).version > 0);
});

test('after a broker restart every router comes back, with the agent backoff', async () => {
  const before = fleet.stats.connects;
  await broker.restart();
  await waitLong('all back', () =>
    fleet.stats.online === 12 && fleet.stats.connects >= before + 12 ? true : undefined,
  );
  assert.ok(fleet.stats.connectionLosses >= 12);
  await recorder.close();
  recorder = await record(broker.url);
  await waitLong('retained states again', () =>
    recorder.documents('state').filter((s) => s.online === true).length >= 12 ? true : undefined,
  );
});

test('everything the simulator published fits its schema', () => {
  const kinds: Record<string, MessageKind> = { state: 'state', status: 'status', reply: 'reply' };
  let checked = 0;
  for (const { topic, text } of recorder.messages) {
    const kind = kinds[topic.split('/').pop()!];
    if (!kind) continue;
    const { valid, errors } = validateMessage(kind, JSON.parse(text));
    assert.ok(valid, `${topic} ${text}: ${errors.join('; ')}`);
    checked++;
  }
  assert.ok(checked >= 24, String(checked));
});

test('a clean stop says goodbye: every retained state is offline and no Will fires', async () => {
  await fleet.stop();
  const after = await record(broker.url);
  try {
    const states = await waitLong('12 retained states', () => {
      const docs = after.documents('state');
      return docs.length >= 12 ? docs : undefined;
    });
    assert.ok(states.every((s) => s.online === false));
    const boots = new Set(fleet.links.map((l) => l.model.boot));
    assert.ok(
      states.every((s) => boots.has(s.boot as string)),
      'the last runs, not Wills of old ones',
    );
  } finally {
    await after.close();
  }
});

test('MQTT 3.1.1 routers work the same', async () => {
  const old = testFleet(broker.url, { routers: 3, protocolVersion: 4, prefix: 'sim311', seed: 9 });
  const seen = await record(broker.url, 'sim311');
  try {
    old.start();
    await waitLong('3 statuses', () => (seen.documents('status').length >= 3 ? true : undefined));
    for (const doc of seen.documents('status')) assert.ok(validateMessage('status', doc).valid);
  } finally {
    await old.stop();
    await seen.close();
  }
});

test('flaky routers drop by themselves (the broker publishes their Will) and come back', async () => {
  const flaky = testFleet(broker.url, {
    routers: 4,
    prefix: 'simflaky',
    seed: 11,
    counts: { infected: 0, static: 0, flaky: 4, errors: 0 },
    flakyUpS: [1, 2],
    flakyDownS: [0.3, 0.6],
  });
  const seen = await record(broker.url, 'simflaky');
  try {
    flaky.start();
    await waitLong('two drops and returns', () =>
      flaky.stats.drops >= 2 && flaky.stats.connects >= 6 ? true : undefined,
    );
    const wills = seen.documents('state').filter((s) => s.online === false);
    assert.ok(wills.length >= 1, 'a Will');
    for (const will of wills) assert.ok(validateMessage('state', will).valid);
    assert.is(flaky.stats.connectionLosses, 0, 'a drop is not a loss to retry');
  } finally {
    await flaky.stop();
    await seen.close();
  }
});

test('npm run fleet-sim runs for --duration and exits 0; a bad flag exits 2 with the usage', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'sim/main.ts', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
  const ok = run([
    '--routers',
    '5',
    '--url',
    broker.url,
    '--prefix',
    'simcli',
    '--duration',
    '3',
    '--stats',
    '1',
    '--ramp',
    '0.2',
  ]);
  assert.is(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /online 5\/5/);
  assert.match(ok.stdout, /all routers had connected after \d+ ms/);
  const bad = run(['--routers', '5', '--url', broker.url, '--interval', 'soon']);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /--interval must be a number/);
  assert.match(bad.stderr, /usage: npm run fleet-sim/);
});

test.run();
