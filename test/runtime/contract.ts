// The behaviour every Runtime must show, run against both implementations: directly under Node
// (runtime-node.test.ts) and bundled under dist/qjs (runtime-quickjs.test.ts). It returns
// observations; the tests assert on them, so both runtimes are held to the same expectations.
import type { Runtime } from '../../agent/runtime/runtime.ts';

export type Observations = Record<string, unknown>;

const MULTIBYTE = 'Grüße ✉ 𝄞 ';

function delay(runtime: Runtime, ms: number): Promise<void> {
  return new Promise((resolve) => runtime.setTimeout(resolve, ms));
}

export async function observeRuntime(
  runtime: Runtime,
  scratchDir: string,
  collectGarbage: () => void = () => {},
): Promise<Observations> {
  const o: Observations = {};

  // Timers whose handle is reachable only through their own callback must survive a garbage
  // collection while pending (QuickJS 2021-03-27 frees such callbacks unless they are rooted).
  o.timerCycles = await new Promise((resolve) => {
    let fired = 0;
    const total = 50;
    for (let i = 0; i < total; i++) {
      const state: { timer?: unknown; n: number } = { n: i };
      state.timer = runtime.setTimeout(
        () => {
          fired += state.n >= 0 ? 1 : 0;
          if (fired === total) resolve({ fired });
        },
        5 + (i % 10),
      );
    }
    collectGarbage();
    runtime.setTimeout(collectGarbage, 2);
    runtime.setTimeout(() => resolve({ fired }), 500);
  });

  const basic = await runtime.run(['sh', '-c', 'echo out; echo err >&2; exit 3']);
  o.basic = {
    code: basic.code,
    stdout: basic.stdout,
    stderr: basic.stderr,
    timedOut: basic.timedOut,
  };

  const big = MULTIBYTE.repeat(20000); // ~300 KB, more than a pipe buffer each way
  const echoed = await runtime.run(['cat'], { stdin: big });
  o.stdinRoundTrip = {
    code: echoed.code,
    same: echoed.stdout === big,
    length: echoed.stdout.length,
  };

  const missing = await runtime.run(['op25b-no-such-program']);
  o.missingProgram = { code: missing.code };

  let started = runtime.now();
  const slow = await runtime.run(['sleep', '5'], { timeoutMs: 200 });
  o.timeout = { code: slow.code, timedOut: slow.timedOut, elapsedMs: runtime.now() - started };

  const signalled = await runtime.run(['sh', '-c', 'kill -TERM $$']);
  o.killedBySignal = { code: signalled.code };

  const large = await runtime.run(['sh', '-c', "head -c 1000000 /dev/zero | tr '\\0' a"]);
  o.largeOutput = { code: large.code, length: large.stdout.length };

  // A child that exits without reading its input must not take the runtime down (SIGPIPE).
  const deaf = await runtime.run(['true'], { stdin: 'x'.repeat(1_000_000) });
  o.childIgnoresStdin = { code: deaf.code };

  const parallel = await Promise.all(
    Array.from({ length: 10 }, (_, i) => runtime.run(['sh', '-c', `echo ${i}`])),
  );
  o.parallel = parallel.map((r) => r.stdout.trim());

  o.spawnEcho = await new Promise((resolve) => {
    let output = '';
    const child = runtime.spawn(['cat'], {
      onStdout: (chunk) => {
        output += String.fromCharCode(...chunk);
        if (output.includes('\n')) child.closeStdin();
      },
      onExit: (code) => resolve({ code, output }),
    });
    child.write('hello\n');
  });

  o.spawnKill = await new Promise((resolve) => {
    started = runtime.now();
    const child = runtime.spawn(['sleep', '30'], {
      onExit: (code) => resolve({ code, elapsedMs: runtime.now() - started }),
    });
    runtime.setTimeout(() => child.kill(), 50);
  });

  const dir = `${scratchDir}/nested/dir`;
  runtime.makeDirectory(dir);
  runtime.makeDirectory(dir); // existing: not an error
  const file = `${dir}/state.json`;
  runtime.writeTextAtomic(file, `{"v":1,"text":"${MULTIBYTE}"}`);
  runtime.writeTextAtomic(file, `{"v":2,"text":"${MULTIBYTE}"}`);
  o.files = {
    read: runtime.readText(file),
    missing: runtime.readText(`${dir}/absent`),
    // Raw bytes, not UTF-8: "{" then the first bytes; a device tree MAC is 6 such bytes.
    bytes: Array.from(runtime.readBytes(file, 3) ?? []),
    bytesMissing: runtime.readBytes(`${dir}/absent`, 6),
    listing: (await runtime.run(['ls', '-A', dir])).stdout.trim().split('\n'),
  };
  // The same file twice; a file put in its place (rename: another inode) is another one.
  const identity = runtime.fileIdentity(file);
  const identityAgain = runtime.fileIdentity(file);
  runtime.writeTextAtomic(file, 'replaced');
  o.identity = {
    same: identity !== null && identity === identityAgain,
    replaced: runtime.fileIdentity(file) !== identity && runtime.fileIdentity(file) !== null,
    missing: runtime.fileIdentity(`${dir}/absent`),
  };
  runtime.removeFile(file);
  runtime.removeFile(file); // missing: not an error
  o.removed = runtime.readText(file);
  let writeError = '';
  try {
    runtime.writeTextAtomic(`${scratchDir}/no/such/dir/file`, 'x');
  } catch (error) {
    writeError = error instanceof Error ? error.message : String(error);
  }
  o.writeError = writeError;

  // /proc files report size 0; they must still be read in full.
  const procStatus = runtime.readText('/proc/self/status') ?? '';
  o.procFile = { hasName: /^Name:\s/m.test(procStatus), hasVmHWM: procStatus.includes('VmHWM') };

  o.findExecutable = {
    sh: runtime.findExecutable('sh') !== null,
    missing: runtime.findExecutable('op25b-no-such-program'),
  };

  const order: string[] = [];
  const cancelled = runtime.setTimeout(() => order.push('cancelled'), 10);
  runtime.setTimeout(() => order.push('late'), 30);
  runtime.setTimeout(() => order.push('early'), 5);
  runtime.clearTimeout(cancelled);
  await delay(runtime, 60);
  o.timers = order;

  o.env = runtime.env('OP25B_CONTRACT');
  o.name = runtime.name;
  return o;
}
