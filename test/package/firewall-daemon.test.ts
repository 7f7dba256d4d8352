// The packaged daemon on a real kernel, run as procd runs the init script's command: it enforces,
// repairs a flush, serves its live status to the rpcd plugin, reloads and stops. Needs root.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BACKENDS, spawnIn } from '../testbed/index.ts';
import { expectBlock, nft, RELAYS, routerBed, setup, syslog, theBed } from './router-agent.ts';
import { rpcdCall, type StatusShape } from './rpcd-call.ts';

const test = suite('package: the packaged daemon (real kernel)');
routerBed(test);

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('daemon: the init script command line runs, repairs a flush, serves its live status', async () => {
  const bed = theBed();
  await bed.installBaseline(BACKENDS.nftables);
  const path = setup(RELAYS, true);
  // What procd runs: the command of start_service, in the router, on the test's PATH.
  const env = Object.entries(path.env).map(([k, v]) => `${k}=${v}`);
  const daemon = spawnIn(bed.ns.router, ['env', '-i', ...env, 'op25b', 'run']);
  // The shipped config logs for procd: info on stdout, warnings and errors on stderr.
  let stdout = '';
  let stderr = '';
  daemon.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  daemon.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) =>
    daemon.on('exit', (code) => resolve(code)),
  );
  try {
    await until('the daemon to enforce', async () => /enforcing: block on/.test(stdout));
    assert.match(stdout, /^info: enforcing: block on \(config\): reject/m);
    assert.not.match(syslog(path), /enforcing/, 'no logger process: procd takes the output');
    await expectBlock(true);

    // fw4 flush behind its back: nft monitor tells it, it puts the table back.
    await bed.execOk('router', ['nft', 'flush', 'ruleset']);
    await until(
      'the repair',
      async () => (await nft(['list', 'table', 'inet', 'op25b'])).code === 0,
    );
    await expectBlock(true);

    await until('the live status to show the repair', () => {
      const live = rpcdCall(path, 'status') as unknown as StatusShape & {
        enforcement: { repairs: number };
      };
      return live.agent.daemon && live.enforcement.repairs >= 1 && live.enforcement.applied;
    });

    daemon.kill('SIGHUP');
    await until('the reload', () => /config reloaded/.test(stdout));
    daemon.kill('SIGTERM');
    assert.is(await exited, 0, stderr);
    assert.match(stdout, /info: stopped; the rules stay in place\n$/);
    assert.is((await nft(['list', 'table', 'inet', 'op25b'])).code, 0, 'the rules stay');
    assert.not.ok(
      (rpcdCall(path, 'status') as unknown as StatusShape).agent.daemon,
      'no live status once it stopped',
    );
  } finally {
    daemon.kill('SIGKILL');
  }
});

test.run();
