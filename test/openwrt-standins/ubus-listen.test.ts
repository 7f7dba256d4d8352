// The ubus stand-in's listen against the real ubus CLI's behaviour recorded in
// /work/shared/notes/platform-facts.md: the line format, types and wildcards, -t, and silence
// for ever when ubusd goes away.
import { spawn } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dir, standinEach, ubus } from './ubus-standin-dir.ts';

standinEach(test);

/** Starts `ubus listen`, resolving once it registered; collects its stdout as it comes. */
async function listen(args: string[]) {
  const child = spawn('ubus', args, { env: dir.env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  await dir.waitForListeners(dir.listeners().length + 1);
  return {
    child,
    exited,
    output: () => stdout,
    async waitFor(text: string, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (!stdout.includes(text)) {
        if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(text)} in ${stdout}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

test('listen: one line per event, exactly as ubus prints it, as soon as it happens', async () => {
  const listener = await listen(['listen', 'network.interface']);
  await ubus(['send', 'network.interface', '{"action":"ifup","interface":"wan"}']);
  await listener.waitFor('\n');
  assert.is(
    listener.output(),
    '{ "network.interface": {"action":"ifup","interface":"wan"} }\n',
    'flushed per line, while it keeps running',
  );
  dir.emit('network.device', { name: 'pppoe-wan' });
  dir.emit('network.interface', { action: 'ifdown', interface: 'wan' });
  await listener.waitFor('ifdown');
  assert.is(
    listener.output(),
    '{ "network.interface": {"action":"ifup","interface":"wan"} }\n' +
      '{ "network.interface": {"action":"ifdown","interface":"wan"} }\n',
    'only the types listened to',
  );
  listener.child.kill('SIGTERM');
  await listener.exited;
  assert.equal(dir.listeners(), [], 'unregistered when it ends');
});

test('listen: several types, wildcards, everything without a type', async () => {
  const two = await listen(['listen', 'a.one', 'b.*']);
  const all = await listen(['listen']);
  for (const type of ['a.one', 'a.two', 'b.x', 'c']) dir.emit(type, { t: type });
  await all.waitFor('"c"');
  await two.waitFor('b.x');
  await new Promise((r) => setTimeout(r, 100));
  assert.is(two.output(), '{ "a.one": {"t":"a.one"} }\n{ "b.x": {"t":"b.x"} }\n');
  assert.is(all.output().split('\n').length - 1, 4);
  two.child.kill();
  all.child.kill();
  await Promise.all([two.exited, all.exited]);
});

test('listen -t N ends after N seconds with exit 0', async () => {
  const timed = await listen(['-t', '1', 'listen', 'network.interface']);
  const started = Date.now();
  assert.is(await timed.exited, 0);
  const ms = Date.now() - started;
  assert.ok(ms >= 800 && ms < 2500, `ended after ${ms} ms`);
});

test('listen when ubusd goes away: keeps running and silent for ever, as the real CLI', async () => {
  for (const away of ['down', 'restart'] as const) {
    const orphan = await listen(['listen', 'network.interface']);
    let ended = false;
    void orphan.exited.then(() => (ended = true));
    if (away === 'down') {
      dir.setDaemonDown(true);
      const refused = await ubus(['listen', 'network.interface']);
      assert.equal([refused.code, refused.stderr], [255, 'Failed to connect to ubus\n']);
      dir.setDaemonDown(false);
    } else dir.restartDaemon();
    // The new ubusd does not know it: no longer registered.
    for (const deadline = Date.now() + 3000; dir.listeners().length;) {
      if (Date.now() > deadline) throw new Error(`${away}: still registered`);
      await new Promise((r) => setTimeout(r, 10));
    }
    // A listener of the new ubusd hears the next event; the orphan never does, nor ends.
    const fresh = await listen(['listen', 'network.interface']);
    dir.emit('network.interface', { action: 'ifup', interface: 'wan' });
    await fresh.waitFor('ifup');
    await new Promise((r) => setTimeout(r, 200));
    assert.is(orphan.output(), '', `${away}: the orphan printed something`);
    assert.is(ended, false, `${away}: the orphan ended`);
    assert.equal(dir.listeners(), [fresh.child.pid], `${away}: only the new one is registered`);
    for (const l of [orphan, fresh]) l.child.kill();
    await Promise.all([orphan.exited, fresh.exited]);
  }
});

test.run();
