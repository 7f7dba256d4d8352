// Checks agent/runtime/quickjs/globals.ts under dist/qjs (test/mqtt/qjs-globals.test.ts):
// bundled by test/qjs/build-trial.ts into dist/test/globals-check.js. Prints one JSON line per
// check, `{"check": name, "ok": bool, ...}`, then `{"done": true}` once every timer has fired.
import './globals-preset.ts'; // runs first: a global that already exists must be left alone
import '../../agent/runtime/quickjs/globals.ts';
import * as std from 'std';
import { loadPackages } from '../../agent/vendor/load-packages.ts';

// std.gc() exists in every qjs; agent/runtime/quickjs/quickjs-modules.d.ts leaves it out.
const gc = (std as unknown as { gc(): void }).gc;

const g = globalThis as unknown as Record<string, any>;

function check(name: string, ok: boolean, detail?: unknown): void {
  std.out.puts(`${JSON.stringify({ check: name, ok, ...(detail !== undefined && { detail }) })}\n`);
  std.out.flush();
}

check('existing global kept', g.queueMicrotask === g.__presetQueueMicrotask);
check(
  'Array.prototype.at',
  [1, 2, 3].at(-1) === 3 && [1, 2, 3].at(0) === 1 && [].at(0) === undefined,
);
check('at is not enumerable', !Object.keys(Array.prototype).includes('at'));
// Buffer comes with the npm packages (agent/vendor/packages.js), not with globals.ts.
loadPackages();
check('Buffer', typeof g.Buffer === 'function' && g.Buffer.from([1, 2]).length === 2);
check('process.env', typeof g.process.env === 'object');
check('clearTimeout(null) and (undefined) are no-ops', (() => {
  g.clearTimeout(null);
  g.clearTimeout(undefined);
  g.clearInterval(42);
  return true;
})()); // prettier-ignore

const order: string[] = [];
g.setTimeout(() => order.push('timeout'), 0);
g.process.nextTick((a: string, b: string) => order.push(`tick ${a}${b}`), 'x', 'y');
g.queueMicrotask(() => order.push('microtask'));
g.process.nextTick(() => {
  throw new Error('thrown in nextTick'); // reported on stderr; the loop goes on
});
order.push('sync');

const cancelled = g.setTimeout(() => check('cleared timeout never fires', false), 10);
g.clearTimeout(cancelled);

// Timers whose handle is reachable only from their own callback, with full GCs while they are
// pending: QuickJS 2021-03-27 frees such a callback unless globals.ts roots the handle.
let cyclesFired = 0;
for (let i = 0; i < 50; i++) {
  const owner: { timer?: unknown; fire?: () => void } = {};
  owner.fire = () => {
    cyclesFired++;
    owner.timer = undefined;
  };
  owner.timer = g.setTimeout(() => owner.fire!(), 20 + i);
}
const collector = g.setInterval(() => gc(), 1);
g.setTimeout(() => g.clearInterval(collector), 120);

const t0 = Date.now();
let ticks = 0;
const interval = g.setInterval(
  (a: number) => {
    ticks += a;
    if (ticks === 3) g.clearInterval(interval);
    if (ticks > 3) check('interval stops when cleared', false);
  },
  20,
  1,
);
const handle = g.setTimeout(() => {}, 1);
check('timer handle has ref/unref', handle.unref() === handle && handle.ref() === handle);

g.setTimeout(
  (value: string) => {
    check('setTimeout passes arguments', value === 'arg');
    check('order: sync, microtasks, then timers', order.join(',') === 'sync,tick xy,microtask,timeout', order);
    check('interval ran 3 times', ticks === 3, ticks);
    check('timers in GC cycles all fired', cyclesFired === 50, cyclesFired);
    check('timeout waited', Date.now() - t0 >= 140, Date.now() - t0);
    std.out.puts(`${JSON.stringify({ done: true })}\n`);
  },
  150,
  'arg',
); // prettier-ignore
