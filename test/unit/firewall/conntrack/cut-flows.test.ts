import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cutBlockedFlows } from '../../../../agent/firewall/conntrack/cut-flows.ts';
import type { RunResult, Runtime } from '../../../../agent/runtime/runtime.ts';
import { policy } from '../../helpers.ts';

const PROC = [
  'ipv4     2 tcp      6 431999 ESTABLISHED src=198.51.100.10 dst=203.0.113.99 sport=40000 dport=25 src=203.0.113.99 dst=203.0.113.1 sport=25 dport=40000 [ASSURED] mark=0 use=1',
  'ipv4     2 tcp      6 431999 ESTABLISHED src=198.51.100.10 dst=203.0.113.25 sport=40001 dport=25 src=203.0.113.25 dst=203.0.113.1 sport=25 dport=40001 [ASSURED] mark=0 use=1',
  'ipv4     2 tcp      6 431999 ESTABLISHED src=198.51.100.10 dst=198.51.100.74 sport=40002 dport=25 src=198.51.100.74 dst=198.51.100.10 sport=25 dport=40002 [ASSURED] mark=0 use=1',
].join('\n');

/** A runtime whose programs answer from a table; it records every argv it ran. */
function fakeRuntime(programs: Record<string, (argv: readonly string[]) => RunResult>) {
  const ran: string[][] = [];
  const runtime = {
    readText: (path: string) => (path === '/proc/net/nf_conntrack' ? PROC : null),
    findExecutable: (name: string) => (name in programs ? `/usr/sbin/${name}` : null),
    run: async (argv: readonly string[]) => {
      ran.push([...argv]);
      const program = programs[argv[0]!];
      return program
        ? program(argv)
        : { code: 127, stdout: '', stderr: `${argv[0]}: not found`, timedOut: false };
    },
  } as unknown as Runtime;
  return { runtime, ran };
}

const ok = (stdout = ''): RunResult => ({ code: 0, stdout, stderr: '', timedOut: false });
const blockOn = policy({ allow: ['203.0.113.25'], wanDevices: ['wan'] });

test('cuts only foreign destinations that leave through a WAN device', async () => {
  const { runtime, ran } = fakeRuntime({
    conntrack: () => ok(),
    ip: () =>
      ok(
        '203.0.113.99 dev wan src 203.0.113.1 uid 0 \\    cache \n' +
          '198.51.100.74 dev lan2 src 198.51.100.65 uid 0 \\    cache \n',
      ),
  });
  const result = await cutBlockedFlows(runtime, blockOn);
  assert.equal(result.destinations, ['203.0.113.99']);
  assert.equal(
    ran.filter((argv) => argv[0] === 'conntrack'),
    [['conntrack', '-D', '-f', 'ipv4', '-p', 'tcp', '--orig-dst', '203.0.113.99', '--dport', '25']],
  );
});

test('without `ip` the egress is unknown: every non-relay flow is cut (fail closed)', async () => {
  const { runtime } = fakeRuntime({ conntrack: () => ok() });
  const result = await cutBlockedFlows(runtime, blockOn);
  assert.equal(result.destinations, ['203.0.113.99', '198.51.100.74']);
});

test('without conntrack nothing is cut, and the reason is given', async () => {
  const { runtime, ran } = fakeRuntime({});
  const result = await cutBlockedFlows(runtime, blockOn);
  assert.equal(result, { destinations: [], skipped: 'conntrack not installed' });
  assert.equal(ran, []);
});

test('a disabled policy cuts nothing', async () => {
  const { runtime, ran } = fakeRuntime({ conntrack: () => ok(), ip: () => ok() });
  const result = await cutBlockedFlows(runtime, policy({ enabled: '0' }));
  assert.equal(result, { destinations: [], skipped: 'block is off' });
  assert.equal(ran, []);
});

test.run();
