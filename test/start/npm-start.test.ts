// `npm start` as a person runs it: a child with its own data folder and free ports. The portal
// answers within 60 s, the summary shows the simulated fleet (the real agent under Node with
// the simulated firewall), a disable through the API reaches a simulated router whose reply
// comes back in the action history, and a Ctrl-C (SIGINT to npm's process group, as a terminal
// sends it) leaves no process of the whole tree and no listening port behind.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { simulatedDeviceId } from '../../sim/profiles.ts';
import { seededRandom } from '../../sim/random.ts';
import { freePort, portProblem } from '../../start/ports.ts';
import { fleetProfiles } from '../../start/routers/fleet-mix.ts';

const ROUTERS = 12;
const ROOT = new URL('../../', import.meta.url).pathname;

function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    for (const task of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/))
      if (task) children.push(Number(task));
  } catch {
    return [];
  }
  children = children.flatMap((c) => [c, ...descendants(c)]);
  return children;
}

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | null>): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown = null;
  while (Date.now() < end) {
    try {
      const value = await probe();
      if (value !== null) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not within ${ms / 1000} s${last ? ` (${String(last)})` : ''}`);
}

test('npm start: portal, simulated fleet, a disable answered, Ctrl-C leaves nothing', async () => {
  const data = mkdtempSync(join(tmpdir(), 'op25b-npm-start-'));
  const port = await freePort();
  const started = Date.now();
  const npm: ChildProcess = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true, // its own process group, as a shell job: the Ctrl-C goes to the group
    env: {
      ...process.env,
      START_DATA: data,
      PORTAL_LISTEN: `127.0.0.1:${port}`,
      START_ROUTERS: String(ROUTERS),
      MQTT_URL: '',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  npm.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  npm.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | string>((resolve) =>
    npm.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const seen = new Set<number>();
  try {
    const password = await until('the banner', 60_000, async () => {
      if (npm.exitCode !== null) throw new Error(`npm start ended: ${stderr}`);
      return /login {4}demo \/ (\S+)/.exec(stdout)?.[1] ?? null;
    });
    const base = `http://127.0.0.1:${port}`;
    assert.ok(stdout.includes(`${base}/`), stdout);
    assert.match(stdout, /stop {5}Ctrl-C/);
    assert.is(readFileSync(join(data, 'demo-password'), 'utf8').trim(), password);
    assert.is(statSync(join(data, 'demo-password')).mode & 0o777, 0o600);
    assert.is(statSync(join(data, 'keys', 'portal-signing-key.pem')).mode & 0o777, 0o600);

    const login = await fetch(`${base}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'demo', password }),
    });
    assert.is(login.status, 200);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${base}/api/v1${path}`, {
        ...init,
        headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      });
    const first = await api('/summary');
    assert.is(first.status, 200);
    assert.ok(Date.now() - started < 60_000, `the API answered after ${Date.now() - started} ms`);
    // The pages are built by npm start and served by the portal itself.
    const page = await fetch(`${base}/`);
    assert.is(page.status, 200);
    const script = /src="(\/assets\/app\.js[^"]*)"/.exec(await page.text());
    assert.ok(script, 'the page loads its script');
    assert.is((await fetch(`${base}${script[1]}`)).status, 200);

    type Summary = { routers: number; online: number; disabled: number; driftedOrErroring: number };
    const summary = await until('the whole fleet reporting', 45_000, async () => {
      const s = (await (await api('/summary')).json()) as Summary;
      return s.routers === ROUTERS && s.online >= ROUTERS - 2 ? s : null;
    });
    const profiles = fleetProfiles(ROUTERS, seededRandom(1));
    const count = (p: string) => profiles.filter((x) => x === p).length;
    assert.ok(summary.disabled >= count('static'), JSON.stringify(summary));
    assert.ok(summary.driftedOrErroring >= 1, JSON.stringify(summary));
    type Row = {
      id: string;
      backend: string;
      wanProto: string;
      enabled: boolean;
      lastError: { code: string } | null;
    };
    const { items } = (await (await api(`/routers?limit=${ROUTERS}`)).json()) as { items: Row[] };
    assert.ok(
      items.every((r) => r.backend === 'simulated'),
      JSON.stringify(items),
    );
    const byId = new Map(items.map((r) => [r.id, r]));
    profiles.forEach((profile, i) => {
      const row = byId.get(simulatedDeviceId(i))!;
      if (profile === 'static') assert.equal([row.wanProto, row.enabled], ['static', false]);
      if (profile === 'error') assert.is(row.lastError?.code, 'firewall_failed');
    });

    // A quiet router: signed by the portal, verified by the agent's own code, applied, answered.
    const id = simulatedDeviceId(profiles.indexOf('quiet'));
    const acted = await api('/actions', {
      method: 'POST',
      body: JSON.stringify({ action: 'disable', reason: 'npm start test', target: { id } }),
    });
    assert.is(acted.status, 200, await acted.clone().text());
    type History = { items: { status: string; reply: { ok: boolean } | null }[] };
    const replied = await until('the router reply', 30_000, async () => {
      const { items: history } = (await (await api(`/routers/${id}/actions`)).json()) as History;
      return history[0]?.reply ? history[0] : null;
    });
    assert.is(replied.status, 'ok');
    assert.ok(replied.reply?.ok);
    await until('the router status with the block off', 30_000, async () => {
      const router = (await (await api(`/routers/${id}`)).json()) as Row;
      return router.enabled === false ? true : null;
    });

    const brokerPort = Number(
      /listener (\d+)/.exec(readFileSync(join(data, 'broker', 'mosquitto.conf'), 'utf8'))![1],
    );
    for (const pid of [npm.pid!, ...descendants(npm.pid!)]) seen.add(pid);
    assert.ok(seen.size >= 5 + ROUTERS, `the tree has ${seen.size} processes`);
    process.kill(-npm.pid!, 'SIGINT');
    // npm itself ends by the signal (as in a terminal); what counts is that the tree is gone.
    const how = await Promise.race([
      exited,
      new Promise((r) => setTimeout(() => r('timeout'), 30_000)),
    ]);
    assert.ok(how === 0 || how === 'SIGINT', `npm start: ${String(how)}\n${stderr}`);
    const left = await until('every process of the tree gone', 30_000, async () => {
      const running = [...seen].filter(alive);
      return running.length === 0 ? running : null;
    }).catch(() => [...seen].filter(alive));
    assert.equal(left, [], `still running: ${left.join(' ')}`);
    assert.match(stderr, /start: mosquitto stopped/);
    assert.is(await portProblem('127.0.0.1', port), null, 'the portal port is free again');
    assert.is(await portProblem('127.0.0.1', brokerPort), null, 'the broker port is free again');
  } finally {
    for (const pid of [npm.pid!, ...seen])
      try {
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    rmSync(data, { recursive: true, force: true });
  }
});

test('npm start: a taken portal port stops it at once with a clear error, nothing started', async () => {
  const data = mkdtempSync(join(tmpdir(), 'op25b-npm-start-'));
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as AddressInfo).port;
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'start/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, START_DATA: data, PORTAL_LISTEN: `127.0.0.1:${port}`, MQTT_URL: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.is(run.status, 1, run.stderr);
    assert.match(run.stderr, `cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
    assert.match(run.stderr, /set PORTAL_LISTEN=/);
    assert.not.ok(existsSync(join(data, 'broker', 'mosquitto.conf')), 'no broker was started');
  } finally {
    holder.close();
    rmSync(data, { recursive: true, force: true });
  }
});

test.run();
