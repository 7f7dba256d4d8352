// Assertions on the observations of contract.ts, shared by the Node and QuickJS runtime tests.
import * as assert from 'uvu/assert';
import type { Observations } from './contract.ts';

export function assertContract(o: Observations, scratchDir: string): void {
  assert.equal(o.timerCycles, { fired: 50 });
  assert.equal(o.basic, { code: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
  assert.equal(o.stdinRoundTrip, { code: 0, same: true, length: 'Grüße ✉ 𝄞 '.length * 20000 });
  assert.equal(o.missingProgram, { code: 127 });
  const timeout = o.timeout as { code: number; timedOut: boolean; elapsedMs: number };
  assert.is(timeout.code, 137);
  assert.is(timeout.timedOut, true);
  assert.ok(timeout.elapsedMs < 2000, `timeout took ${timeout.elapsedMs} ms`);
  assert.equal(o.killedBySignal, { code: 143 });
  assert.equal(o.largeOutput, { code: 0, length: 1_000_000 });
  assert.equal(o.childIgnoresStdin, { code: 0 });
  assert.equal(o.parallel, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.equal(o.spawnEcho, { code: 0, output: 'hello\n' });
  const kill = o.spawnKill as { code: number; elapsedMs: number };
  assert.is(kill.code, 143);
  assert.ok(kill.elapsedMs < 2000);
  const files = o.files as {
    read: string;
    missing: null;
    listing: string[];
    bytes: number[];
    bytesMissing: null;
  };
  assert.equal(files.bytes, [0x7b, 0x22, 0x76], 'readBytes: the first bytes, raw');
  assert.is(files.bytesMissing, null);
  assert.is(files.read, '{"v":2,"text":"Grüße ✉ 𝄞 "}');
  assert.is(files.missing, null);
  assert.equal(files.listing, ['state.json'], 'no temporary file left behind');
  assert.is(o.removed, null);
  assert.equal(o.identity, { same: true, replaced: true, missing: null }, 'fileIdentity');
  assert.match(String(o.writeError), `${scratchDir}/no/such/dir`);
  assert.equal(o.procFile, { hasName: true, hasVmHWM: true });
  assert.equal(o.findExecutable, { sh: true, missing: null });
  assert.equal(o.timers, ['early', 'late']);
  assert.is(o.env, 'yes');
}
