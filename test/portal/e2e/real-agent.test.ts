// End to end: the real agent (dist/qjs) in the test bed's router namespace, the ISP's mosquitto
// in `wan`, and the real portal service (portal/main.ts: PGlite, its signing key) beside it in
// `wan`. Everything goes through the portal's HTTP API with a bearer token: the router appears,
// a disable is signed by the portal, verified by the agent (verify_key_file, allow_unsigned off),
// answered and recorded, and the kernel lets port 25 out; an enable blocks it again.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BACKENDS, BROKER_ADDRESS, PLAIN_PORT, type RulesetSnapshot } from '../../testbed/index.ts';
import {
  agentRulesPresent,
  createRig,
  expectBlock,
  expectSameRuleset,
  ROUTER,
  waitUntil,
  type Rig,
} from '../../integration-mqtt/rig.ts';
import { runFleet } from '../http/cli-run.ts';
import { makeKeys, type Keys } from '../support/portal-rig.ts';
import { startNamespacedPortal, type NamespacedPortal } from './namespaced-portal.ts';

const test = suite('portal e2e: real agent, real broker, real portal service (nftables)');
const SETTLE_MS = 30_000; // a reply or an ingested status, on a busy machine
let rig: Rig | null = null;
let keys: Keys | null = null;
let portal: NamespacedPortal | null = null;
let token = '';
let setupError: unknown = null;
let baseline: RulesetSnapshot | null = null;

const ready = () => {
  if (rig && portal) return { rig, portal };
  throw setupError instanceof Error ? setupError : new Error(String(setupError));
};

test.before(async () => {
  try {
    rig = await createRig({ backend: BACKENDS.nftables, routers: [ROUTER] });
    keys = await makeKeys();
    const verifyKey = join(rig.dir, 'portal-public.pem');
    writeFileSync(verifyKey, keys.publicPem);
    // The first account and its token, made on the database before the service starts (PGlite
    // has one user at a time), as docs/portal.md tells an ISP to.
    const data = { PORTAL_DATA: join(rig.dir, 'portal-data') };
    const added = await runFleet(
      ['user', 'add', 'noc', '--role', 'operator'],
      data,
      'a long passphrase\n',
    );
    assert.is(added.code, 0, added.stderr);
    const made = await runFleet(['token', 'create', 'noc', '--label', 'e2e'], data);
    assert.is(made.code, 0, made.stderr);
    token = made.stdout.trim();
    portal = await startNamespacedPortal(
      rig.bed.ns.wan,
      {
        ...data,
        MQTT_URL: `mqtt://${BROKER_ADDRESS.ipv4}:${PLAIN_PORT}`,
        MQTT_USERNAME: rig.files.isp.user,
        MQTT_PASSWORD: rig.files.isp.password,
        PORTAL_SIGNING_KEY: keys.privateFile,
        PORTAL_REPLY_TIMEOUT_MS: String(SETTLE_MS),
      },
      join(rig.dir, 'api.sock'),
    );
    await rig.startAgent(rig.config(ROUTER, { agent: { verify_key_file: verifyKey } }));
  } catch (error) {
    setupError = error; // uvu would swallow it here; every test rethrows it
  }
});

test.after(async () => {
  const code = await portal?.stop();
  if (portal && code !== 0) process.stderr.write(`portal exited ${code}:\n${portal.log()}\n`);
  await rig?.destroy();
  keys?.remove();
});

interface RouterView {
  readonly id: string;
  readonly online: boolean;
  readonly enabled: boolean | null;
  readonly applied: boolean | null;
  readonly backend: string | null;
  readonly status: { readonly policy: { readonly version: number } } | null;
}
interface ActionView {
  readonly version: number | null;
  readonly action: string;
  readonly operator: string;
  readonly reason: string;
  readonly status: string;
  readonly reply: unknown;
}

async function router(p: NamespacedPortal): Promise<RouterView | undefined> {
  const answer = await p.api('GET', `/routers/${ROUTER}`, token);
  return answer.status === 200 ? (answer.body as RouterView) : undefined;
}

/** POST /actions for the router; waits until the portal recorded the agent's reply. */
async function act(p: NamespacedPortal, action: 'disable' | 'enable', reason: string) {
  const answer = await p.api('POST', '/actions', token, { action, reason, target: { id: ROUTER } });
  assert.is(answer.status, 200, JSON.stringify(answer.body));
  const result = answer.body as {
    published: number;
    failed: number;
    outcomes: { routerId: string; ok: boolean; version?: number }[];
  };
  assert.equal([result.published, result.failed], [1, 0], JSON.stringify(result));
  const version = result.outcomes[0]!.version!;
  assert.ok(Number.isSafeInteger(version) && version > 0, `version ${version}`);
  const record = await waitUntil(
    `the agent's reply to ${action} v${version} in the action history`,
    async () => {
      const history = await p.api('GET', `/routers/${ROUTER}/actions?limit=5`, token);
      const items = (history.body as { items: ActionView[] }).items;
      const mine = items.find((a) => a.version === version);
      return mine && mine.status !== 'sent' ? mine : undefined;
    },
    SETTLE_MS,
    200,
  );
  assert.equal(
    { ...record },
    { ...record, action, operator: 'noc', reason, status: 'ok', reply: { version, ok: true } },
  );
  return version;
}

test('the router appears through the API, with its state and status', async () => {
  const { rig, portal } = ready();
  assert.is((await portal.api('GET', '/routers')).status, 401, 'no token, no answer');
  const seen = await waitUntil(
    'the router online with a status',
    async () => {
      const r = await router(portal);
      return r?.online && r.status ? r : undefined;
    },
    SETTLE_MS,
    200,
  );
  assert.equal([seen.enabled, seen.applied, seen.backend], [true, true, 'nftables']);
  const list = await portal.api('GET', `/routers?q=${ROUTER}`, token);
  assert.equal(
    (list.body as { items: { id: string }[] }).items.map((r) => r.id),
    [ROUTER],
  );
  baseline = await rig.bed.snapshot();
  assert.ok(agentRulesPresent(baseline), 'the local policy blocks at start');
  await expectBlock(rig, true);
});

test('disable with a reason: signed, verified by the agent, answered; port 25 gets out', async () => {
  const { rig, portal } = ready();
  const version = await act(portal, 'disable', 'customer runs a mail server, ticket 4711');
  assert.not.ok(agentRulesPresent(await rig.bed.snapshot()), 'the agent removed its rules');
  await expectBlock(rig, false);
  const r = await waitUntil(
    'the status of the disabled router',
    async () => {
      const v = await router(portal);
      return v?.status?.policy.version === version ? v : undefined;
    },
    SETTLE_MS,
    200,
  );
  assert.is(r.enabled, false);
});

test('enable: blocked again, with the same rules as before', async () => {
  const { rig, portal } = ready();
  const version = await act(portal, 'enable', 'ticket 4711 closed');
  const now = await rig.bed.snapshot();
  assert.ok(agentRulesPresent(now));
  if (baseline) expectSameRuleset(baseline, now, 'after enable');
  await expectBlock(rig, true);
  await waitUntil(
    'the status of the enabled router',
    async () => {
      const v = await router(portal);
      return v?.status?.policy.version === version && v.enabled === true ? v : undefined;
    },
    SETTLE_MS,
    200,
  );
  const audit = await portal.api('GET', `/audit?router=${ROUTER}`, token);
  const entries = (audit.body as { items: { operator: string; action: string; reason: string }[] })
    .items;
  assert.equal(
    entries.map((e) => [e.operator, e.action, e.reason]),
    [
      ['noc', 'enable', 'ticket 4711 closed'],
      ['noc', 'disable', 'customer runs a mail server, ticket 4711'],
    ],
  );
});

test.run();
