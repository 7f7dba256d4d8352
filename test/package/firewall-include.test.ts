// The packaged firewall include on a real kernel, sourced the way fw4 and fw3 source it: after
// a simulated `fw4 flush` (nft flush ruleset) or fw3 flush (iptables -F/-X) it must bring the
// block back; a broken config fails it. The agent is the packaged one: the wrapper and the
// bundle from the unpacked .ipk under dist/qjs, with the shipped config plus the test's relays.
// Needs root.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BACKENDS, FW4_BASELINE } from '../testbed/index.ts';
import {
  expectBlock,
  fw3Include,
  fw4Include,
  nft,
  RELAYS,
  routerBed,
  setup,
  syslog,
  theBed,
} from './router-agent.ts';

const test = suite('package: firewall include (real kernel)');
routerBed(test);

test('fw4: the include applies the block, is idempotent, and brings it back after fw4 flush', async () => {
  const bed = theBed();
  await bed.installBaseline(BACKENDS.nftables);
  const path = setup(RELAYS, true);

  const first = fw4Include(path);
  assert.is(first.code, 0, first.stderr + first.stdout);
  assert.is(first.stdout + first.stderr, '', 'quiet: what it says goes to syslog');
  assert.match(
    syslog(path),
    /^daemon\.info op25b: firewall include: applied \(nftables\): block on/m,
  );
  assert.is((await nft(['list', 'table', 'inet', 'op25b'])).code, 0);
  await expectBlock(true);

  const again = fw4Include(path);
  assert.is(again.code, 0, again.stderr);
  assert.match(syslog(path), /firewall include: already in place \(nftables\)/);

  // /etc/init.d/firewall stop: `fw4 flush` deletes every table, ours too. The port is open.
  assert.is((await nft(['flush', 'ruleset'])).code, 0);
  assert.is((await nft(['list', 'table', 'inet', 'op25b'])).code, 1);
  await expectBlock(false);

  // /etc/init.d/firewall start: fw4 loads its ruleset, then runs the includes.
  await bed.execOk('router', ['nft', '-f', '-'], { stdin: FW4_BASELINE });
  const back = fw4Include(path);
  assert.is(back.code, 0, back.stderr);
  assert.is((await nft(['list', 'table', 'inet', 'op25b'])).code, 0);
  await expectBlock(true);
});

test('fw4: a broken config makes the include fail, and says why in syslog', async () => {
  await theBed().installBaseline(BACKENDS.nftables);
  const path = setup(["option action 'maybe'"], true);
  const out = fw4Include(path);
  assert.is(out.code, 2);
  assert.match(
    syslog(path),
    /^daemon\.err op25b: firewall include: op25b: error: invalid policy\.action "maybe"/m,
  );
});

test('fw3: the include applies the block and brings it back after fw3 flush', async () => {
  const bed = theBed();
  await bed.installBaseline(BACKENDS.iptablesLegacy);
  const path = setup(
    [...RELAYS, "option backend 'iptables'", "option iptables_variant 'legacy'"],
    false,
  );
  const forwardHead = async () =>
    (await bed.execOk('router', ['iptables-legacy', '-S', 'FORWARD'])).split('\n')[1];

  const first = fw3Include(path);
  assert.is(first.code, 0, first.stderr + first.stdout);
  assert.match(syslog(path), /firewall include: applied \(iptables\)/);
  assert.is(await forwardHead(), '-A FORWARD -j OP25B');
  await expectBlock(true);

  // fw3 flush (/etc/init.d/firewall stop, and the first half of restart): every rule and every
  // user chain goes, policies ACCEPT.
  for (const tool of ['iptables-legacy', 'ip6tables-legacy']) {
    await bed.execOk('router', [tool, '-F']);
    await bed.execOk('router', [tool, '-X']);
  }
  await expectBlock(false);

  await bed.installBaseline(BACKENDS.iptablesLegacy); // fw3 start: its own rules...
  const back = fw3Include(path); // ...then the includes
  assert.is(back.code, 0, back.stderr);
  assert.is(await forwardHead(), '-A FORWARD -j OP25B');
  await expectBlock(true);
});

test.run();
