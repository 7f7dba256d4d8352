// For globals-check.ts: a queueMicrotask that exists before globals.ts runs, as on a QuickJS
// that has one. globals.ts must keep it.
const preset = (callback: () => void): void => void Promise.resolve().then(callback);
Object.assign(globalThis, { queueMicrotask: preset, __presetQueueMicrotask: preset });
