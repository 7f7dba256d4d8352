import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COMMANDS, parseArgs, USAGE } from '../../../agent/cli/args.ts';
import { inputError } from '../helpers.ts';

test('every command, with the default config path', () => {
  assert.equal(COMMANDS, [
    'run',
    'apply',
    'verify',
    'remove',
    'status',
    'print',
    'version',
    'help',
    'json-string',
  ]);
  for (const command of COMMANDS.filter((c) => c !== 'json-string'))
    assert.equal(parseArgs([command]), { command, configPath: '/etc/config/op25b', force: false });
});

test('--config FILE and --config=FILE, before or after the command', () => {
  assert.equal(parseArgs(['apply', '--config', '/tmp/op25b']), {
    command: 'apply',
    configPath: '/tmp/op25b',
    force: false,
  });
  assert.equal(parseArgs(['--config', '/tmp/a b', 'verify']), {
    command: 'verify',
    configPath: '/tmp/a b',
    force: false,
  });
  assert.equal(parseArgs(['status', '--config=/etc/config/other']), {
    command: 'status',
    configPath: '/etc/config/other',
    force: false,
  });
  assert.equal(parseArgs(['--config=x=y', 'print']), {
    command: 'print',
    configPath: 'x=y',
    force: false,
  });
});

test('the last --config wins', () => {
  assert.equal(parseArgs(['apply', '--config', 'one', '--config=two']).configPath, 'two');
});

test('-h and --help mean help', () => {
  assert.is(parseArgs(['-h']).command, 'help');
  assert.is(parseArgs(['--help']).command, 'help');
  assert.is(parseArgs(['apply', '--help']).command, 'help');
});

const usageErrors: [string[], string][] = [
  [[], 'missing command'],
  [['--config', 'x'], 'missing command'],
  [['start'], 'unknown command "start"'],
  [['APPLY'], 'unknown command "APPLY"'],
  [['apply', 'verify'], 'unexpected argument "verify"'],
  [['apply', 'now'], 'unexpected argument "now"'],
  [['apply', '--forcefully'], 'unknown option "--forcefully"'],
  [['-v'], 'unknown option "-v"'],
  [['apply', '--config'], '--config needs a file name'],
  [['apply', '--config='], '--config needs a file name'],
  [['apply', '--config', ''], '--config needs a file name'],
  [['apply', '--configfile=x'], 'unknown option "--configfile=x"'],
];
for (const [argv, message] of usageErrors) {
  test(`usage error for ${JSON.stringify(argv)}`, () => {
    const error = inputError(() => parseArgs(argv));
    assert.is(error.code, 'usage');
    assert.is(error.message, message);
  });
}

test('USAGE names every command but help, and the option', () => {
  for (const command of COMMANDS.filter((c) => c !== 'help'))
    assert.match(USAGE, new RegExp(`\\n  ${command} `));
  assert.match(USAGE, /--config FILE/);
  assert.match(USAGE, /\/etc\/config\/op25b/);
});

test('--force goes with apply only', () => {
  assert.equal(parseArgs(['apply', '--force']), {
    command: 'apply',
    configPath: '/etc/config/op25b',
    force: true,
  });
  for (const command of ['verify', 'status', 'run'])
    assert.throws(() => parseArgs([command, '--force']), /--force goes with apply only/);
});

test('json-string: the one argument after it is text, even one that looks like an option', () => {
  assert.is(parseArgs(['json-string', '--force']).text, '--force');
  assert.is(parseArgs(['json-string', 'é', '--config', '/x']).text, 'é');
  for (const argv of [['json-string'], ['json-string', 'a', 'b'], ['json-string', 'a', '--force']])
    assert.throws(() => parseArgs(argv), /json-string takes one argument/);
});

test.run();
