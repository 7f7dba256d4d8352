// Globals that MQTT.js and the npm packages it brings (readable-stream, mqtt-packet) use and that
// bellard's QuickJS 2021-03-27 lacks. Import this module FIRST in a QuickJS entry point that uses
// MQTT (ES modules run in import order, and those packages read some of these when they load).
// Each one is installed only where it is missing, so on a QuickJS that has it this is a no-op.
// Node never loads this file (it imports `os` and `std`).
import type * as os from 'os';
import * as std from 'std';
import { clearRootedTimeout, setRootedTimeout } from './timers.ts';

type Callback = (...args: unknown[]) => void;

const global = globalThis as unknown as Record<string, unknown>;

function install(target: object, name: string, value: unknown): void {
  if ((target as Record<string, unknown>)[name] !== undefined) return;
  Object.defineProperty(target, name, { value, writable: true, configurable: true });
}

// Like qjs for an exception in a timer or I/O callback: print it and keep the event loop going.
function reportUncaught(error: unknown): void {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  std.err.puts(`Uncaught ${String(error)}\n${stack}`);
  std.err.flush();
}

// queueMicrotask: readable-stream calls it; a promise job is QuickJS's microtask.
function queueMicrotask(callback: () => void): void {
  Promise.resolve().then(callback).catch(reportUncaught);
}

// Timers: MQTT.js (CONNACK timeout, keepalive, end()) and the worker-timers stub call the global
// setTimeout/setInterval family. Node-style handle objects, so clearTimeout(null) is a no-op
// and clearInterval can cancel a timer that re-arms itself on `os.setTimeout`.
interface TimerHandle {
  cancel(): void;
  ref(): TimerHandle;
  unref(): TimerHandle;
  hasRef(): boolean;
}
const timers = new WeakSet<object>();

function startTimer(
  callback: Callback,
  ms: unknown,
  args: unknown[],
  repeat: boolean,
): TimerHandle {
  if (typeof callback !== 'function') throw new TypeError('timer callback must be a function');
  const delay = Number(ms);
  const interval = delay >= 1 && delay <= 0x7fffffff ? delay : 1; // what Node does
  let pending: os.TimerHandle | undefined;
  // Rooted timers: see timers.ts for the QuickJS bug this avoids.
  const arm = (): void => {
    pending = setRootedTimeout(fire, interval);
  };
  const fire = (): void => {
    pending = undefined;
    if (repeat) arm();
    callback(...args);
  };
  arm();
  const handle: TimerHandle = {
    cancel: () => {
      if (pending === undefined) return;
      clearRootedTimeout(pending);
      pending = undefined;
    },
    ref: () => handle,
    unref: () => handle,
    hasRef: () => true,
  };
  timers.add(handle);
  return handle;
}

function clearTimer(handle: unknown): void {
  if (typeof handle === 'object' && handle !== null && timers.has(handle))
    (handle as TimerHandle).cancel();
}

install(global, 'queueMicrotask', queueMicrotask);
install(global, 'setTimeout', (cb: Callback, ms?: number, ...args: unknown[]) =>
  startTimer(cb, ms, args, false),
);
install(global, 'setInterval', (cb: Callback, ms?: number, ...args: unknown[]) =>
  startTimer(cb, ms, args, true),
);
install(global, 'clearTimeout', clearTimer);
install(global, 'clearInterval', clearTimer);

// process: MQTT.js reads `process?.nextTick` when it loads (an undeclared `process` is a
// ReferenceError even behind `?.`); readable-stream (via build/qjs-shims/process.cjs), MQTT.js
// and mqtt-packet call process.nextTick; lru-cache reads process.env.
function nextTick(callback: Callback, ...args: unknown[]): void {
  queueMicrotask(() => callback(...args));
}
install(global, 'process', { nextTick, env: {} });

// Buffer: installed with the npm packages when they are first loaded (vendor/load-packages.ts).

// Array.prototype.at (ES2022): MQTT.js's subscribe() calls packets.at(-1).
install(Array.prototype, 'at', function at<T>(this: T[], index: number): T | undefined {
  const length = this.length;
  let i = Math.trunc(index) || 0;
  if (i < 0) i += length;
  return i < 0 || i >= length ? undefined : this[i];
});

// Object.hasOwn (ES2022): @noble/hashes calls it while it loads.
install(Object, 'hasOwn', (object: object, key: PropertyKey): boolean =>
  Object.prototype.hasOwnProperty.call(object, key),
);
