import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSimArgs, UsageError } from '../../sim/args.ts';
import { assignProfiles, defaultCounts, simulatedDeviceId } from '../../sim/profiles.ts';
import { seededRandom } from '../../sim/random.ts';

test('defaults: the agent report interval, the contract prefix, a mixed fleet', () => {
  const args = parseSimArgs(['--routers', '1000', '--url', 'mqtt://127.0.0.1:1883']);
  assert.is(args.intervalS, 300);
  assert.is(args.prefix, 'op25b/v1');
  assert.equal(args.counts, { infected: 30, static: 50, flaky: 20, errors: 1 });
  assert.is(args.rampS, 2);
  assert.is(args.durationS, null);
  assert.is(args.protocolVersion, 5);
  assert.is(args.verifyKeyFile, null);
});

test('every flag is read', () => {
  const args = parseSimArgs([
    '--routers', '10', '--url', 'mqtt://127.0.0.1:1', '--interval', '2.5', '--prefix', 'isp/x',
    '--verify-key', 'k.pem', '--infected', '2', '--static', '3', '--flaky', '1', '--errors', '0',
    '--seed', '9', '--duration', '20', '--ramp', '0', '--max-connecting', '5',
    '--protocol', '3.1.1', '--stats', '0',
  ]); // prettier-ignore
  assert.equal(args, {
    routers: 10,
    url: 'mqtt://127.0.0.1:1',
    intervalS: 2.5,
    prefix: 'isp/x',
    verifyKeyFile: 'k.pem',
    counts: { infected: 2, static: 3, flaky: 1, errors: 0 },
    seed: 9,
    durationS: 20,
    rampS: 0,
    maxConnecting: 5,
    protocolVersion: 4,
    statsS: 0,
  });
});

test('bad command lines are refused with a reason', () => {
  const url = ['--url', 'mqtt://127.0.0.1:1883'];
  const cases: [string[], RegExp][] = [
    [url, /--routers is required/],
    [['--routers', '5'], /--url is required/],
    [['--routers', '0', ...url], /at least 1/],
    [['--routers', '1.5', ...url], /integer/],
    [['--routers', '5', '--url', 'http://x'], /mqtt:/],
    [['--routers', '5', ...url, '--bogus', '1'], /unknown argument/],
    [['--routers', '5', ...url, '--interval'], /needs a value/],
    [['--routers', '5', ...url, '--protocol', '4'], /5 or 3.1.1/],
    [['--routers', '5', ...url, '--prefix', 'a/#'], /wildcards/],
    [['--routers', '5', '--routers', '6', ...url], /twice/],
  ];
  for (const [argv, message] of cases)
    assert.throws(
      () => parseSimArgs(argv),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
    );
});

test('profiles: the counts asked for, spread by the seed, the error router first when short', () => {
  const profiles = assignProfiles(100, defaultCounts(100), seededRandom(1));
  const count = (p: string) => profiles.filter((x) => x === p).length;
  assert.equal([count('infected'), count('static'), count('flaky'), count('error')], [3, 5, 2, 1]);
  assert.equal(assignProfiles(100, defaultCounts(100), seededRandom(1)), profiles);
  assert.not.equal(assignProfiles(100, defaultCounts(100), seededRandom(2)), profiles);
  const few = assignProfiles(2, { infected: 5, static: 5, flaky: 5, errors: 1 }, seededRandom(1));
  assert.equal([...few].sort(), ['error', 'infected']);
  assert.is(simulatedDeviceId(255), '02f5000000ff');
});

test.run();
