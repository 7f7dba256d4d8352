// esbuild settings for QuickJS bundles, shared by esbuild.config.ts (the agent) and the test
// bundles (test/qjs/build-trial.ts). The agent's npm packages are @noble/ed25519 and
// @noble/hashes alone, plain ES modules that need no shims; the one global they lack on
// QuickJS 2021-03-27 is installed at run time by agent/runtime/quickjs/globals.ts. (MQTT.js,
// which needed readable-stream, buffer, events and a dozen shims, is no longer in the agent.)
import type { BuildOptions } from 'esbuild';

export const qjsEsbuildOptions = {
  // No Node built-ins exist under QuickJS, and the packages need none.
  platform: 'neutral',
} satisfies BuildOptions;
