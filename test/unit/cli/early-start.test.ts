// cli/early-start.ts: before the CLI is compiled, `apply` and `verify` start exactly the reads
// their backend and cli-view will make first, with the same argv and timeout, and nothing else.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startEarlyRuns } from '../../../agent/cli/early-start.ts';
import { createIptablesBackend } from '../../../agent/firewall/iptables/backend.ts';
import { createNftablesBackend } from '../../../agent/firewall/nftables/backend.ts';
import { configFromUci } from '../../../agent/config/agent-config.ts';
import { parseUci } from '../../../agent/config/uci-parse.ts';
import { openWrtView } from '../../../agent/openwrt/cli-view.ts';
import { parsePolicy } from '../../../agent/policy/parse-policy.ts';
import { effectivePolicy } from '../../../agent/policy/effective-policy.ts';
import { withEarlyRuns } from '../../../agent/runtime/early-runs.ts';
import type { RunOptions, RunResult } from '../../../agent/runtime/runtime.ts';
import { fakeRuntime, type FakeRuntime } from '../openwrt/fake-runtime.ts';

const CONFIG = '/etc/config/op25b';
const NFT_LIST = 'nft -j list table inet op25b';
const DUMP = 'ubus -S -t 5 call network.interface dump';

function router(
  programs: string[],
  policyLines: string[],
  argv: string[],
  answers: Record<string, Partial<RunResult>> = {},
) {
  const fake = fakeRuntime(programs);
  for (const [prefix, answer] of Object.entries(answers)) fake.answer(prefix, answer);
  const text = ["config policy 'policy'", ...policyLines].join('\n');
  const base: FakeRuntime = {
    ...fake,
    argv,
    readText: (path) => (path === CONFIG ? text : null),
  };
  const early = withEarlyRuns(base);
  startEarlyRuns(early);
  const started = fake.runs.map(({ argv, options }) => ({ argv: argv.join(' '), options }));
  return { fake, early, started, text };
}

const plain = (argv: string) => ({ argv, options: {} as RunOptions });

test('nftables (fw4 router): the table listing, then the interface dump when there is ubus', () => {
  const { started } = router(['nft', 'fw4', 'ubus'], [], ['apply']);
  assert.equal(started, [plain(NFT_LIST), { argv: DUMP, options: { timeoutMs: 7000 } }]);
  assert.equal(router(['nft', 'fw4'], [], ['verify']).started, [plain(NFT_LIST)]);
});

test('iptables: both families of the configured variant, and no nft listing beside them', () => {
  const programs = ['nft', 'iptables-legacy-restore', 'iptables-restore'];
  const legacy = router(
    programs,
    ["\toption backend 'iptables'", "\toption iptables_variant 'legacy'"],
    ['apply', '--config', CONFIG],
  );
  assert.equal(legacy.started, [
    plain('iptables-legacy-save -c'),
    plain('ip6tables-legacy-save -c'),
  ]);
  // A fw3 router (no fw4): auto picks iptables with the system's default names.
  assert.equal(router(['nft', 'iptables-restore'], [], ['verify']).started, [
    plain('iptables-save -c'),
    plain('ip6tables-save -c'),
  ]);
});

test('apply --force: no nftables listing (the table is replaced unseen), iptables still lists', () => {
  assert.equal(router(['nft', 'fw4'], [], ['apply', '--force']).started, []);
  const ipt = router(['iptables-restore'], ["\toption backend 'iptables'"], ['apply', '--force']);
  assert.equal(ipt.started.length, 2);
});

test('nothing starts for other commands, bad arguments or configs, or no backend', () => {
  const programs = ['nft', 'fw4', 'ubus'];
  for (const argv of [['status'], ['print'], ['run'], ['remove'], ['apply', '--bogus'], []])
    assert.equal(router(programs, [], argv).started, [], argv.join(' '));
  assert.equal(router(programs, ["\toption backend 'pf'"], ['apply']).started, []);
  assert.equal(router(programs, ["\tlist backend 'nftables'"], ['apply']).started, []);
  assert.equal(router(programs, [], ['apply', '--config', '/nowhere']).started, []);
  assert.equal(router([], [], ['apply']).started, []);
});

const policy = parsePolicy({ allow: ['203.0.113.25'], wanDevices: ['wan'] });

test('the nftables backend lists with the argv started early, and takes its result', async () => {
  const { fake, early } = router(['nft', 'fw4'], [], ['apply'], {
    [NFT_LIST]: { code: 1, stderr: 'Error: No such file or directory' },
    'nft -f -': {},
  });
  await createNftablesBackend(early.runtime).apply(policy);
  assert.equal(
    fake.runs.map((r) => r.argv.join(' ')),
    [NFT_LIST, 'nft -f -'],
    'one listing: the early one',
  );
});

test('the iptables backend lists with the argv started early, and takes its results', async () => {
  const saved = { stdout: '*filter\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' };
  const { fake, early } = router(
    ['iptables-nft-restore'],
    ["\toption backend 'iptables'", "\toption iptables_variant 'nft'"],
    ['apply'],
    {
      'iptables-nft-save -c': saved,
      'ip6tables-nft-save -c': saved,
      'iptables-nft-restore': {},
      'ip6tables-nft-restore': {},
    },
  );
  assert.is((await createIptablesBackend(early.runtime, 'nft').apply(policy)).changed, true);
  assert.equal(
    fake.runs.map((r) => r.argv[0]),
    ['iptables-nft-save', 'ip6tables-nft-save', 'iptables-nft-restore', 'ip6tables-nft-restore'],
    'no listing but the early ones',
  );
});

test("cli-view's interface dump takes the early one (same argv and timeout)", async () => {
  const { fake, early, text } = router(['nft', 'fw4', 'ubus'], [], ['apply'], {
    [DUMP]: { stdout: '{"interface":[]}' },
  });
  const config = configFromUci(parseUci(text));
  await openWrtView(early.runtime, { config, effective: effectivePolicy(config.policy, null) });
  assert.equal(
    fake.runs.map((r) => r.argv.join(' ')),
    [NFT_LIST, DUMP],
  );
});

test.run();
