// Checks agent/runtime/quickjs/globals.ts under dist/qjs (test/mqtt/qjs-globals.test.ts):
// bundled by test/qjs/build-trial.ts into dist/test/globals-check.js. Prints one JSON line per
// check, `{"check": name, "ok": bool, ...}`, then `{"done": true}` once every timer has fired.
import { install } from '../../agent/runtime/quickjs/globals.ts';
import * as std from 'std';
import { loadPackages } from '../../agent/vendor/load-packages.ts';
import { createQuickJsRuntime } from '../../agent/runtime/quickjs/runtime.ts';

// std.gc() exists in every qjs; agent/runtime/quickjs/quickjs-modules.d.ts leaves it out.
const gc = (std as unknown as { gc(): void }).gc;

const g = globalThis as unknown as Record<string, any>;

function check(name: string, ok: boolean, detail?: unknown): void {
  std.out.puts(`${JSON.stringify({ check: name, ok, ...(detail !== undefined && { detail }) })}\n`);
  std.out.flush();
}

const kept = { hasOwn: 'preset' };
install(kept, 'hasOwn', () => true);
check('an existing global is kept', kept.hasOwn === 'preset');
check(
  'Object.hasOwn',
  g.Object.hasOwn({ a: 1 }, 'a') === true &&
    g.Object.hasOwn(Object.create({ a: 1 }), 'a') === false,
);
check('hasOwn is not enumerable', !Object.keys(Object).includes('hasOwn'));
// The packages load (ed25519 needs Object.hasOwn) without MQTT.js's globals.
check('packages load', typeof loadPackages().verifyEd25519 === 'function');
check(
  'no MQTT.js-era global is installed (QuickJS 2021-03-27 has none of them)',
  ['Buffer', 'process', 'queueMicrotask', 'setTimeout'].every((name) => g[name] === undefined) &&
    !('at' in Array.prototype),
);

// Timers whose handle is reachable only from their own callback, with full GCs while they are
// pending: QuickJS 2021-03-27 frees such a callback unless the runtime roots the handle
// (agent/runtime/quickjs/timers.ts).
const runtime = createQuickJsRuntime();
let cyclesFired = 0;
for (let i = 0; i < 50; i++) {
  const owner: { timer?: unknown; fire?: () => void } = {};
  owner.fire = () => {
    cyclesFired++;
    owner.timer = undefined;
  };
  owner.timer = runtime.setTimeout(() => owner.fire!(), 20 + i);
}
let collecting = true;
const collect = (): void => {
  gc();
  if (collecting) runtime.setTimeout(collect, 1);
};
collect();
runtime.setTimeout(() => (collecting = false), 120);

const cancelled = runtime.setTimeout(() => check('cleared timeout never fires', false), 10);
runtime.clearTimeout(cancelled);

const t0 = Date.now();
runtime.setTimeout(() => {
  check('timers in GC cycles all fired', cyclesFired === 50, cyclesFired);
  check('timeout waited', Date.now() - t0 >= 140, Date.now() - t0);
  std.out.puts(`${JSON.stringify({ done: true })}\n`);
}, 150);
