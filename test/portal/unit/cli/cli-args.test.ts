import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCliArgs } from '../../../../portal/cli/cli-args.ts';
import { CliError, EXIT_BAD_INPUT } from '../../../../portal/cli/exit-codes.ts';
import { safe } from '../../../../portal/cli/output.ts';

const args = (line: string) => parseCliArgs(line.split(' ').filter(Boolean));

function refuses(line: string | string[], pattern: RegExp): void {
  try {
    parseCliArgs(typeof line === 'string' ? line.split(' ') : line);
  } catch (e) {
    assert.instance(e, CliError);
    assert.is((e as CliError).code, EXIT_BAD_INPUT);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`${String(line)} was accepted`);
}

test('list takes filters and paging as the API query parameters', () => {
  assert.equal(args('list --online true --wan-proto pppoe --sort -last_seen --limit 20 --json'), {
    kind: 'list',
    params: { online: 'true', wan_proto: 'pppoe', sort: '-last_seen', limit: '20' },
    json: true,
  });
  assert.equal(args('list --model=TL-WR841N'), {
    kind: 'list',
    params: { model: 'TL-WR841N' },
    json: false,
  });
});

test('bad filters fail before any request, naming the option', () => {
  refuses('list --online maybe', /--online: online must be true or false/);
  refuses('list --limit 0', /--limit/);
  refuses('list --sort password', /--sort/);
  refuses('list --colour red', /unknown option --colour/);
  refuses('list --online', /--online needs a value/);
  refuses('list --online true --online false', /given twice/);
});

test('actions need a target and a reason', () => {
  assert.equal(args('disable r-1 r-2 --reason spam'), {
    kind: 'action',
    action: 'disable',
    target: { ids: ['r-1', 'r-2'] },
    reason: 'spam',
    json: false,
  });
  assert.equal(parseCliArgs(['enable', '--all', '--reason', 'ticket 7: back on']), {
    kind: 'action',
    action: 'enable',
    target: { all: true },
    reason: 'ticket 7: back on',
    json: false,
  });
  const filtered = args('reapply --model X --not-reporting false --reason r');
  assert.equal(filtered.kind === 'action' && filtered.target, {
    filter: { model: 'X', not_reporting: 'false' },
  });
  refuses('disable r-1', /--reason TEXT is required/);
  refuses(['disable', 'r-1', '--reason', ' '], /--reason TEXT is required/);
  refuses('disable --reason x', /say which routers/);
  refuses('disable r-1 --all --reason x', /not several/);
  refuses('disable r-1 --limit 5 --reason x', /unknown option --limit/);
  refuses(['disable', "r'1;rm", '--reason', 'x'], /is not a router id/);
});

test('rollouts: start with waves and thresholds, control with a reason', () => {
  assert.equal(
    args('rollout start disable --all --reason r --waves 1,10,100 --max-error-share 0.02'),
    {
      kind: 'rollout-start',
      action: 'disable',
      target: { all: true },
      reason: 'r',
      waves: [1, 10, 100],
      maxErrorShare: 0.02,
      json: false,
    },
  );
  assert.equal(args('rollout pause ro-1 --reason wait'), {
    kind: 'rollout-control',
    verb: 'pause',
    id: 'ro-1',
    reason: 'wait',
    json: false,
  });
  assert.equal(args('rollout list'), { kind: 'rollout-list', json: false });
  refuses('rollout start explode --all --reason r', /action must be one of/);
  refuses('rollout start enable --all --reason r --waves 10,50', /--waves/);
  refuses('rollout start enable --all --reason r --max-error-share 2', /--max-error-share/);
  refuses('rollout abort ro-1', /--reason/);
  refuses('rollout', /usage: fleet rollout/);
});

test('user add, token create, watch, export, help', () => {
  assert.equal(args('user add alice --role admin'), {
    kind: 'user-add',
    name: 'alice',
    role: 'admin',
  });
  assert.equal(args('token create alice'), { kind: 'token-create', name: 'alice', label: 'cli' });
  assert.equal(args('token create alice --label nightly'), {
    kind: 'token-create',
    name: 'alice',
    label: 'nightly',
  });
  assert.equal(args('watch'), { kind: 'watch' });
  assert.equal(args('export --online false'), { kind: 'export', params: { online: 'false' } });
  assert.equal(args('--help'), { kind: 'help' });
  assert.equal(args('list -h'), { kind: 'help' });
  refuses('user add alice --role root', /--role must be admin, operator or viewer/);
  refuses('user add alice', /--role must be/);
  refuses('user del alice --role admin', /usage: fleet user add/);
  refuses('token create', /usage: fleet token create/);
  refuses('export --limit 5', /unknown option --limit/);
  refuses('frobnicate', /unknown command "frobnicate"/);
  refuses([], /missing command/);
});

test('device strings lose their control characters before reaching a terminal', () => {
  assert.is(safe('TL\x1b[2J\x07WR\u009b1'), 'TL?[2J?WR?1');
  assert.is(safe(null), '-');
});

test.run();
