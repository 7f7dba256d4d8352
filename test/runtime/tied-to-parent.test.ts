import { execFileSync, spawn } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createNodeRuntime } from '../../agent/runtime/node/runtime.ts';
import { tiedToParent } from '../../agent/runtime/tied-to-parent.ts';
import { bundleForQjs, QJS } from '../qjs/bundle.ts';

const runtime = createNodeRuntime([]);

function running(marker: string): boolean {
  try {
    execFileSync('pgrep', ['-f', `^sleep ${marker}$`]);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return condition();
}

test('the exit status of the program comes through', async () => {
  const code = await new Promise<number>((resolve) => {
    runtime.spawn(tiedToParent(['sh', '-c', 'exit 7']), { onExit: resolve });
  });
  assert.is(code, 7);
});

test('output comes through and arguments are never parsed by the shell', async () => {
  // spawn, stdin left open: closing it means "the parent is gone" and ends the program.
  const output = await new Promise<string>((resolve) => {
    let text = '';
    runtime.spawn(tiedToParent(['printf', '%s|', 'a b', '$(reboot)', '"; x']), {
      onStdout: (chunk) => (text += new TextDecoder().decode(chunk)),
      onExit: () => resolve(text),
    });
  });
  assert.is(output, 'a b|$(reboot)|"; x|');
});

test('closing stdin (the parent went away) ends the program', async () => {
  const result = await runtime.run(tiedToParent(['sleep', '5']), { timeoutMs: 3000 });
  assert.is(result.timedOut, false);
  assert.is(result.code, 143);
});

test('killing the wrapper kills the program', async () => {
  const marker = '31.4159';
  const exited = new Promise<number>((resolve) => {
    const child = runtime.spawn(tiedToParent(['sleep', marker]), { onExit: resolve });
    setTimeout(() => child.kill(), 200);
  });
  assert.ok(await waitUntil(() => running(marker), 1000), 'the program started');
  assert.is(await exited, 143);
  assert.ok(await waitUntil(() => !running(marker), 1000), 'the program is gone');
});

test('when the parent (qjs) dies by SIGKILL, the program goes too', async () => {
  const marker = '27.1828';
  const bundle = await bundleForQjs('test/qjs/tied-child-main.ts');
  const qjs = spawn(QJS, [bundle, marker], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => qjs.stdout.once('data', () => resolve()));
  assert.ok(running(marker), 'the program runs while qjs does');
  qjs.kill('SIGKILL');
  assert.ok(await waitUntil(() => !running(marker), 2000), 'the orphan was not left behind');
});

test.run();
