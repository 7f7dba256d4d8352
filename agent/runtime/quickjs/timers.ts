// os.setTimeout with a fix for a QuickJS 2021-03-27 bug: the handle object reports its callback
// to the cycle collector as its own child, so when the handle is reachable only through a cycle
// that includes the callback (`state.timer = setTimeout(() => use(state))`), a collection frees
// the callback of a timer that is still pending and qjs later calls freed memory (a crash, or
// "not a function"). Pending handles therefore stay in a set hung off the global object (a GC
// root) until they fire or are cleared. Every timer of the QuickJS runtime goes through here.
import * as os from 'os';

const pending = new Set<os.TimerHandle>();
Object.defineProperty(globalThis, Symbol('op25b pending timers'), { value: pending });

export function setRootedTimeout(callback: () => void, ms: number): os.TimerHandle {
  const handle = os.setTimeout(() => {
    pending.delete(handle);
    callback();
  }, ms);
  pending.add(handle);
  return handle;
}

export function clearRootedTimeout(handle: os.TimerHandle): void {
  if (!pending.delete(handle)) return;
  os.clearTimeout(handle);
}
