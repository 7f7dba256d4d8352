// `npm run portal` as operators run it (the real FleetService, PGlite in a temp directory, a
// private mosquitto, routers played by MQTT clients), driven over HTTP with a token and by the
// fleet CLI: authentication, device strings, an action that reaches the router signed, the
// audit log, real responses against the OpenAPI document, and a clean stop on SIGTERM.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BOOT_A, BOOT_B, deviceId } from '../support/documents.ts';
import { startRouter } from '../support/test-router.ts';
import { waitFor } from '../../mqtt/helpers.ts';
import { waitForValue } from '../support/wait-for-value.ts';
import { runFleet } from './cli-run.ts';
import { serviceRig } from './service-rig.ts';

const XSS = '<script>alert(1)</script>';
const SQLI = "'; DROP TABLE routers; --";
const test = suite('portal service');
const rig = serviceRig(test);
const { dir, checker, tokens, routers, api, waitForList } = rig;

test('routers reporting over MQTT appear in GET /routers; without a token it is 401', async () => {
  const ids = [deviceId(1), deviceId(2)];
  routers.push(
    await startRouter({
      id: ids[0]!,
      boot: BOOT_A,
      brokerUrl: rig.broker.url,
      publicPem: rig.keys.publicPem,
      status: { model: XSS },
    }),
    await startRouter({
      id: ids[1]!,
      boot: BOOT_A,
      brokerUrl: rig.broker.url,
      publicPem: rig.keys.publicPem,
      status: { model: SQLI },
    }),
  );
  assert.is((await api('GET', '/routers', '/routers')).status, 401);
  const list = await waitForList(2);
  assert.equal(list.items.map((r: { id: string }) => r.id).sort(), ids);
});

test('device strings are data: search and filters with them are parameterised, answers inert', async () => {
  const bySql = await api(
    'GET',
    '/routers',
    `/routers?q=${encodeURIComponent(SQLI)}`,
    tokens.viewer,
  );
  assert.equal(
    bySql.body.items.map((r: { id: string }) => r.id),
    [deviceId(2)],
  );
  const byModel = await api(
    'GET',
    '/routers',
    `/routers?model=${encodeURIComponent(XSS)}`,
    tokens.viewer,
  );
  assert.equal(
    byModel.body.items.map((r: { model: string }) => r.model),
    [XSS],
  );
  const detail = await api('GET', '/routers/{id}', `/routers/${deviceId(2)}`, tokens.viewer);
  assert.is(detail.body.model, SQLI);
  assert.is(detail.body.status.device.model, SQLI);
  assert.is((await waitForList(2)).total, 2); // the table is still there
  const csv = await (
    await fetch(`${rig.portal.url}/api/v1/export/routers.csv`, {
      headers: { authorization: `Bearer ${tokens.viewer}` },
    })
  ).text();
  assert.ok(csv.includes(`,${XSS},`) && csv.includes(`,${SQLI},`));
});

test('summary and histories of the real service fit the OpenAPI document', async () => {
  assert.is((await api('GET', '/summary', '/summary', tokens.viewer)).body.routers, 2);
  assert.is((await api('GET', '/blocked', '/blocked?hours=2', tokens.viewer)).status, 200);
  assert.is((await api('GET', '/top-blocked', '/top-blocked', tokens.viewer)).status, 200);
  assert.is(
    (await api('GET', '/routers/{id}/blocked', `/routers/${deviceId(1)}/blocked`, tokens.viewer))
      .status,
    200,
  );
});

test('a viewer cannot act; an operator disables one router, which gets a signed desired state', async () => {
  const body = {
    action: 'disable',
    reason: 'spam from a LAN host, ticket 4711',
    target: { id: deviceId(1) },
  };
  assert.is((await api('POST', '/actions', '/actions', tokens.viewer, body)).status, 403);
  assert.is(routers[0]!.received.length, 0);
  const done = await api('POST', '/actions', '/actions', tokens.operator, body);
  assert.is(done.status, 200, JSON.stringify(done.body));
  assert.is(done.body.published, 1);
  await waitFor(
    'the desired state',
    () => (routers[0]!.received.find((m) => m.kind === 'desired') ? true : undefined),
    10_000,
  );
  const desired = routers[0]!.received.find((m) => m.kind === 'desired')!;
  assert.is(desired.claims.enabled, false);
  assert.is(desired.claims.sub, deviceId(1));
  assert.is(routers[1]!.received.length, 0);
  const deadline = Date.now() + 10_000;
  let history: any;
  while (Date.now() < deadline) {
    history = (
      await api('GET', '/routers/{id}/actions', `/routers/${deviceId(1)}/actions`, tokens.viewer)
    ).body;
    if (history.items[0]?.status === 'ok') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.is(history.items[0].operator, 'operator1');
  assert.is(history.items[0].reason, body.reason);
  assert.is(history.items[0].status, 'ok');
  const audit = await api('GET', '/audit', `/audit?router=${deviceId(1)}`, tokens.viewer);
  assert.is(audit.body.items[0].operator, 'operator1');
  assert.is(audit.body.items[0].reason, body.reason);
});

test('GET /events streams the service router events', async () => {
  const res = await fetch(`${rig.portal.url}/api/v1/events`, {
    headers: { authorization: `Bearer ${tokens.viewer}` },
  });
  assert.is(res.status, 200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const readUntil = async (needle: RegExp) => {
    const deadline = Date.now() + 15_000;
    while (!needle.test(text)) {
      if (Date.now() > deadline) throw new Error(`no ${needle} in ${text}`);
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before ${needle}`);
      text += decoder.decode(value);
    }
  };
  await readUntil(/event: hello\n/);
  await routers[1]!.publishStatus({ blocked: 42 });
  await readUntil(new RegExp(`event: router\ndata: .*"${deviceId(2)}".*\n\n`));
  await reader.cancel();
});

test('the fleet CLI works against the running service', async () => {
  const env = { PORTAL_URL: rig.portal.url, PORTAL_TOKEN: tokens.viewer };
  const list = await runFleet(['list', '--sort', 'id'], env);
  assert.is(list.code, 0, list.stderr);
  assert.ok(list.stdout.includes(deviceId(1)) && list.stdout.includes(deviceId(2)));
  assert.match(list.stdout, /2 of 2 routers\n$/);
  const denied = await runFleet(['enable', deviceId(1), '--reason', 'x'], env);
  assert.is(denied.code, 4);
});

test('a router that restarts: its ended run is in GET /routers/{id}/boots, presence moves on', async () => {
  const id = deviceId(2);
  const detail = async () =>
    (await api('GET', '/routers/{id}', `/routers/${id}`, tokens.viewer)).body;
  const first = await detail();
  assert.is(first.boot, BOOT_A);
  assert.ok(first.presenceSince && first.bootSeenAt, JSON.stringify(first));
  // Power cut: the broker publishes the Last Will; then the router is back with a new boot id.
  await routers[1]!.crash();
  const offline = await waitForValue(
    'the Will',
    async () => {
      const r = await detail();
      return r.online ? undefined : r;
    },
    15_000,
  );
  assert.ok(offline.presenceSince > first.presenceSince);
  routers[1] = await startRouter({
    id,
    boot: BOOT_B,
    brokerUrl: rig.broker.url,
    publicPem: rig.keys.publicPem,
    status: { model: SQLI },
  });
  const back = await waitForValue(
    'the new run',
    async () => {
      const r = await detail();
      return r.online && r.boot === BOOT_B ? r : undefined;
    },
    15_000,
  );
  assert.is(back.bootSeenAt, back.presenceSince);
  assert.ok(back.bootSeenAt > offline.presenceSince);
  const boots = await api('GET', '/routers/{id}/boots', `/routers/${id}/boots`, tokens.viewer);
  assert.equal(boots.body, {
    items: [
      {
        boot: BOOT_A,
        agentVersion: first.agentVersion,
        firstSeen: first.bootSeenAt,
        endedAt: offline.presenceSince,
        endedBy: 'lost',
      },
    ],
    total: 1,
  });
  const paged = `/routers/${id}/boots?limit=1&offset=1`;
  assert.equal((await api('GET', '/routers/{id}/boots', paged, tokens.viewer)).body, {
    items: [],
    total: 1,
  });
  const unknown = `/routers/${deviceId(99)}/boots`;
  assert.is((await api('GET', '/routers/{id}/boots', unknown, tokens.viewer)).status, 404);
  assert.is((await api('GET', '/routers/{id}/boots', `/routers/${id}/boots`)).status, 401);
});

test('a bad option stops npm run portal at once with one line naming it (exit 2)', async () => {
  const { spawnSync } = await import('node:child_process');
  const { join } = await import('node:path');
  const { ROOT } = await import('../../mqtt/helpers.ts');
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'portal/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORTAL_LISTEN: '8080', PORTAL_DATA: dir.path },
    encoding: 'utf8',
  });
  assert.is(run.status, 2);
  assert.is(
    run.stderr,
    'portal: error: PORTAL_LISTEN: "8080" must be host:port or [ipv6]:port (port 0..65535)\n',
  );
});

test('SIGTERM stops the service cleanly (exit 0, "stopped"), even with an event stream open', async () => {
  const events = await fetch(`${rig.portal.url}/api/v1/events`, {
    headers: { authorization: `Bearer ${tokens.viewer}` },
  });
  const reader = events.body!.getReader();
  await reader.read(); // the hello: the stream is open
  assert.is(await rig.portal.stop(), 0, rig.portal.log());
  // The service ended the stream itself.
  for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) break;
  assert.match(rig.portal.log(), /SIGTERM: stopping/);
  assert.match(rig.portal.log(), /portal: stopped\n$/);
  console.log(`  (${checker.checked} real responses checked against the OpenAPI document)`);
});

test.run();
