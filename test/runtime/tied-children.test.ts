// The daemon's long-running helpers, recorded in a file while they run, and ended by the next
// start when a SIGKILLed run left them behind; with real processes (Node runtime).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createNodeRuntime } from '../../agent/runtime/node/runtime.ts';
import { startTimeOf, tieChildren } from '../../agent/runtime/tied-children.ts';

const runtime = createNodeRuntime([]);
const dir = mkdtempSync(join(tmpdir(), 'op25b-tied-'));
const file = join(dir, 'helpers.pid');
const failWrite = (error: unknown) => {
  throw error;
};

const startOf = (pid: number) => startTimeOf(readFileSync(`/proc/${pid}/stat`, 'utf8'));
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('start time: field 22 of /proc/<pid>/stat, whatever the command name holds', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
  assert.is(startTimeOf(`42 (a b) c)) ${fields.join(' ')}`), '22');
  assert.is(startTimeOf('42 (x) S 1'), null);
  assert.is(startTimeOf(null), null);
});

test('a helper is in the file (pid, start time) while it runs, started with no shell', async () => {
  const tied = tieChildren(runtime, file, failWrite);
  const exited = new Promise<number>((resolve) => {
    const child = tied.runtime.spawn(['sleep', '30'], { onExit: resolve });
    assert.is(readFileSync(file, 'utf8'), `${child.pid} ${startOf(child.pid)}\n`);
    assert.match(readFileSync(`/proc/${child.pid}/cmdline`, 'utf8'), /^sleep\0/);
    child.kill();
  });
  assert.is(await exited, 143);
  assert.not.ok(existsSync(file), 'the file goes with the last helper');
});

test('the next start ends what a killed run left, and nothing whose start time differs', async () => {
  const orphan = spawn('sleep', ['30'], { stdio: 'ignore' });
  const other = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    const orphanExit = new Promise((resolve) => orphan.once('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The second line names a live process with another start time: a reused pid.
    const otherStart = String(Number(startOf(other.pid!)) + 1);
    writeFileSync(file, `${orphan.pid} ${startOf(orphan.pid!)}\n${other.pid} ${otherStart}\n`);
    const tied = tieChildren(runtime, file, failWrite);
    // A helper of this run rewrites the file before the leftovers are ended.
    const child = tied.runtime.spawn(['sleep', '30'], {});
    assert.equal(await tied.killLeftovers(), [orphan.pid]);
    await orphanExit;
    assert.ok(alive(other.pid!), 'the process with another start time lives');
    assert.ok(alive(child.pid), "this run's helper lives");
    child.kill();
  } finally {
    orphan.kill('SIGKILL');
    other.kill('SIGKILL');
  }
});

test.run();
