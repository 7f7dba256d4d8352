// The daemon's start in the router namespace: without ubus (no ubus child, the status without
// device facts), with log_target procd, without a device id, and with a broker it cannot reach.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { pidCommand } from '../mqtt/processes.ts';
import { startDaemon } from './agent-process.ts';
import { cliBed, POLICY } from './cli-bed.ts';

const test = suite('openwrt: the daemon, with and without ubus');
const ready = cliBed(test);

test('the daemon without ubus: no ubus child, the status without device facts, log on stderr', async () => {
  const { bed: b, files: f } = ready();
  const config = f.config(
    { ...POLICY, wanDevices: ['wan'] },
    { run_dir: join(f.dir, 'run-plain') },
  );
  const daemon = startDaemon(b, null, config);
  try {
    const status = join(f.dir, 'run-plain', 'status.json');
    const deadline = Date.now() + 5000;
    while (!existsSync(status) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const document = JSON.parse(readFileSync(status, 'utf8'));
    assert.equal(document.device, { id: 'cpe-openwrt' });
    assert.equal(document.policy.wan_devices, ['wan']);
    assert.not.ok(
      daemon
        .children()
        .map(pidCommand)
        .some((c) => /ubus/.test(c)),
    );
    assert.match(daemon.stderr(), /^op25b: info: enforcing: block on \(config\)/m);
  } finally {
    assert.is(await daemon.stop(), 0);
  }
  assert.match(daemon.stderr(), /op25b: info: stopped; the rules stay in place\n$/);
});

test('log_target procd: no logger child although logger exists; info on stdout, warnings on stderr', async () => {
  const { bed: b, standins: s, files: f } = ready();
  const config = f.config(
    { ...POLICY, wanDevices: ['wan'] },
    { run_dir: join(f.dir, 'run-procd'), log_target: 'procd' },
  );
  const daemon = startDaemon(b, s, config);
  try {
    const deadline = Date.now() + 5000;
    while (!/info: enforcing: /.test(daemon.stdout()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.match(daemon.stdout(), /^info: enforcing: block on \(config\)/m);
    // Children seen while they start may still show the parent's command line: wait for the
    // helpers, then look. (The ubus stand-in is a sh script: a wrapper shows as `sh -c`.)
    let children: string[] = [];
    while (Date.now() < deadline) {
      children = daemon.children().map(pidCommand);
      if (
        ['listen network.interface', 'nft monitor'].every((h) =>
          children.some((c) => c.includes(h)),
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(
      children.some((c) => / listen network\.interface( |$)/.test(c)),
      children.join('; '),
    );
    assert.not.ok(
      children.some((c) => /\blogger\b|^(\S*\/)?sh -c /.test(c)),
      `no logger and no shell: ${children.join('; ')}`,
    );
    for (const line of daemon.stderr().split('\n').filter(Boolean))
      assert.match(line, /^(warn|error): /);
  } finally {
    const code = await daemon.stop();
    assert.is(code, 0, `stdout: ${daemon.stdout()}\nstderr: ${daemon.stderr()}`);
  }
  assert.match(daemon.stdout(), /info: stopped; the rules stay in place\n$/);
});

/** Starts the daemon on `config` (the stand-ins on PATH) and returns its first status document. */
async function firstStatus(config: string, runDir: string, until: (doc: any) => boolean) {
  const { bed: b, standins: s } = ready();
  const daemon = startDaemon(b, s, config);
  const path = join(runDir, 'status.json');
  const deadline = Date.now() + 8000;
  let document: any = null;
  try {
    while (Date.now() < deadline) {
      if (existsSync(path)) {
        document = JSON.parse(readFileSync(path, 'utf8'));
        if (until(document)) break;
      }
      if (!daemon.running()) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(daemon.running(), `the daemon exited:\n${daemon.stderr()}`);
  } finally {
    await daemon.stop();
  }
  return { document, stderr: daemon.stderr() };
}

test('no device id anywhere (no eth0, no label MAC): enforcing all the same', async () => {
  const { files: f } = ready();
  const runDir = join(f.dir, 'run-noid');
  const offline = f.config({ ...POLICY, wanDevices: ['wan'] }, { device_id: '', run_dir: runDir });
  const alone = await firstStatus(offline, runDir, (d) => d.enforcement.applied);
  assert.is(alone.document?.enforcement.applied, true, alone.stderr);
  assert.is(alone.document.device.id, null);
  // With a broker: still enforcing, and the status and the log say why there is no link.
  const linked = f.config({ ...POLICY, wanDevices: ['wan'] }, { device_id: '', run_dir: runDir });
  appendFileSync(linked, "\nconfig mqtt 'mqtt'\n\toption broker 'mqtt://127.0.0.1:1'\n");
  const waiting = await firstStatus(linked, runDir, (d) => d.last_error !== null);
  assert.is(waiting.document?.enforcement.applied, true, waiting.stderr);
  assert.is(waiting.document.last_error?.code, 'no_device_id');
  assert.match(waiting.stderr, /op25b: error: cannot derive a device id .* retrying in 60 s/);
});

test('the broker cannot be reached: status.last_error has the transport error while it lasts', async () => {
  const { files: f } = ready();
  const runDir = join(f.dir, 'run-refused');
  const config = f.config({ ...POLICY, wanDevices: ['wan'] }, { run_dir: runDir });
  appendFileSync(
    config,
    "\nconfig mqtt 'mqtt'\n\toption broker 'mqtt://127.0.0.1:1'\n\toption startup_delay '0'\n",
  );
  const { document, stderr } = await firstStatus(config, runDir, (d) => d.last_error !== null);
  assert.is(document?.last_error?.code, 'broker_unreachable', stderr);
  assert.match(document.last_error.message, /^mqtt:\/\/127\.0\.0\.1:1: ECONNREFUSED/);
});

test.run();
