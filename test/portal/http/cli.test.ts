// The fleet CLI as a script runs it: `user add` / `token create` straight on a PGlite data
// directory, then the API commands against the app served over real HTTP (@hono/node-server),
// with their output, exit codes and one-line errors.
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openDb, type Db } from '../../../portal/store/db.ts';
import { freePort, tempDir } from '../../mqtt/helpers.ts';
import { runFleet } from './cli-run.ts';
import { FakeFleet, router } from './fake-fleet.ts';
import { openRig, type Rig } from './support.ts';

const test = suite('fleet cli');
const dir = tempDir();
const env = { PORTAL_DATA: dir.path };
const fleet = new FakeFleet([router('r-001'), router('r-002', { model: 'Evil\x1b[2J<b>' })]);
let rig: Rig;
let db: Db;
let server: ServerType;
let url = '';
let adminToken = '';
let viewerToken = '';

test.after(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  await db?.close();
  dir.remove();
});

test('user add reads the password from stdin and refuses duplicates and short passwords', async () => {
  const added = await runFleet(
    ['user', 'add', 'alice', '--role', 'admin'],
    env,
    'alice-password-1\n',
  );
  assert.is(added.code, 0, added.stderr);
  assert.is(added.stdout, '');
  assert.match(added.stderr, /added admin alice/);
  const again = await runFleet(
    ['user', 'add', 'alice', '--role', 'viewer'],
    env,
    'another-password\n',
  );
  assert.is(again.code, 2);
  assert.is(again.stderr, 'fleet: error: account "alice" exists already\n');
  const short = await runFleet(['user', 'add', 'bob', '--role', 'viewer'], env, 'short\n');
  assert.is(short.code, 2);
  assert.match(short.stderr, /^fleet: error: password must have at least 10 characters/);
  assert.is(
    (await runFleet(['user', 'add', 'vic', '--role', 'viewer'], env, 'viewer-password-1')).code,
    0,
  );
});

test('token create prints exactly one token on stdout', async () => {
  const made = await runFleet(['token', 'create', 'alice'], env);
  assert.is(made.code, 0, made.stderr);
  assert.match(made.stdout, /^op25b_[A-Za-z0-9_-]{43}\n$/);
  adminToken = made.stdout.trim();
  viewerToken = (await runFleet(['token', 'create', 'vic', '--label', 'ro'], env)).stdout.trim();
  const none = await runFleet(['token', 'create', 'nobody'], env);
  assert.is(none.code, 2);
  assert.match(none.stderr, /^fleet: error: no account "nobody"/);
});

test('the accounts and tokens made by the CLI work in the service, and were audited', async () => {
  db = await openDb({ dataDir: dir.path });
  rig = await openRig(fleet, db);
  fleet.audit = rig.audit;
  server = serve({ fetch: rig.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const me = await fetch(`${url}/api/v1/me`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  assert.equal(((await me.json()) as { operator: unknown }).operator, {
    name: 'alice',
    role: 'admin',
  });
  const audit = await rig.audit.list({ limit: 10, offset: 0, action: 'token.create' });
  assert.is(audit.total, 2);
  assert.match(audit.items[0]!.operator, /^cli:/);
});

const api = (token: string) => ({ PORTAL_URL: url, PORTAL_TOKEN: token });

test('list, show and export print the fleet; device control characters are neutralised', async () => {
  const list = await runFleet(['list', '--sort', 'id'], api(viewerToken));
  assert.is(list.code, 0, list.stderr);
  assert.match(list.stdout, /^ID\s+ONLINE/);
  assert.match(list.stdout, /r-002 .*Evil\?\[2J<b>\n/);
  assert.not.match(list.stdout, /\x1b/);
  assert.match(list.stdout, /2 of 2 routers\n$/);
  const json = await runFleet(['list', '--json', '--limit', '1'], api(viewerToken));
  assert.is(JSON.parse(json.stdout).items.length, 1);
  const show = await runFleet(['show', 'r-001'], api(viewerToken));
  assert.match(show.stdout, /^id\s+r-001\n/);
  const csv = await runFleet(['export'], api(viewerToken));
  assert.is(csv.code, 0);
  assert.is(csv.stdout.trimEnd().split('\r\n').length, 3);
});

test('actions and rollouts go through with a reason; exit codes tell refusals apart', async () => {
  const ok = await runFleet(['disable', 'r-001', '--reason', 'spam from LAN'], api(adminToken));
  assert.is(ok.code, 0, ok.stderr);
  assert.is(ok.stdout, 'disable: published 1 of 1, 0 pending (offline), 0 failed\n');
  assert.equal(fleet.acted.at(-1)!.req.target, { kind: 'one', id: 'r-001' });
  assert.is(fleet.acted.at(-1)!.req.reason, 'spam from LAN');
  const viewer = await runFleet(['disable', 'r-001', '--reason', 'x'], api(viewerToken));
  assert.is(viewer.code, 4);
  assert.is(viewer.stderr, 'fleet: error: this needs the operator role\n');
  const bad = await runFleet(['disable', 'r-001', '--reason', 'x'], api('op25b_wrong'));
  assert.is(bad.code, 4);
  const missing = await runFleet(['show', 'nope'], api(viewerToken));
  assert.is(missing.code, 2);
  assert.is(missing.stderr, 'fleet: error: router not found\n');
  const noToken = await runFleet(['list'], { PORTAL_URL: url });
  assert.is(noToken.code, 4);
  assert.match(noToken.stderr, /^fleet: error: PORTAL_TOKEN is not set/);
  const usage = await runFleet(['disable', 'r-001'], api(adminToken));
  assert.is(usage.code, 2);
  const started = await runFleet(
    ['rollout', 'start', 'enable', '--all', '--reason', 'back', '--waves', '10,100'],
    api(adminToken),
  );
  assert.is(started.code, 0, started.stderr);
  assert.match(started.stdout, /^r1 {2}enable {2}running/);
  const paused = await runFleet(['rollout', 'pause', 'r1', '--reason', 'hold'], api(adminToken));
  assert.match(paused.stdout, /paused/);
});

test('watch prints each event as one JSON line', async () => {
  const { spawn } = await import('node:child_process');
  const { join } = await import('node:path');
  const { ROOT, track, waitFor } = await import('../../mqtt/helpers.ts');
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'portal/cli/main.ts'), 'watch'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...api(viewerToken) },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor('watch to subscribe', () => (fleet.listeners.size > 0 ? true : undefined), 20_000);
  fleet.emit({ type: 'router', id: 'r-002' });
  await waitFor('the event line', () => (out.includes('\n') ? true : undefined), 10_000);
  assert.equal(JSON.parse(out.split('\n')[0]!), { type: 'router', id: 'r-002' });
  child.kill('SIGTERM');
});

test('the portal being down is a one-line failure (exit 1)', async () => {
  const port = await freePort();
  const down = await runFleet(['list'], {
    PORTAL_URL: `http://127.0.0.1:${port}`,
    PORTAL_TOKEN: viewerToken,
  });
  assert.is(down.code, 1);
  assert.match(
    down.stderr,
    new RegExp(
      `^fleet: error: cannot reach the portal at http://127.0.0.1:${port}: ECONNREFUSED\n$`,
    ),
  );
});

test.run();
