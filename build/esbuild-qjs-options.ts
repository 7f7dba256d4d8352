// esbuild settings for QuickJS bundles that include MQTT.js (agent/mqtt). Shared by
// esbuild.config.ts (the agent) and test/qjs/build-trial.ts (the MQTT trial); spread them into
// the build options. They change nothing for code that imports no npm package.
// The globals those packages need are installed at run time by agent/runtime/quickjs/globals.ts.
import type { BuildOptions } from 'esbuild';
import { fileURLToPath } from 'node:url';

const shim = (file: string): string =>
  fileURLToPath(new URL(`./qjs-shims/${file}`, import.meta.url));

export const qjsEsbuildOptions = {
  // Resolve packages the way a browser bundle does: readable-stream's "browser" field replaces its
  // `require('stream')` with its own implementation, and 'buffer', 'events' and 'string_decoder'
  // come from npm instead of being taken for Node built-ins.
  platform: 'browser',
  alias: {
    // Logging off; the real `debug` wants Node's tty or a browser's localStorage.
    debug: shim('debug.cjs'),
    // Web Worker timers, required at load time but unused with timerVariant 'native'.
    'worker-timers': shim('worker-timers.cjs'),
    // readable-stream's `require('process/')`: the global process, one nextTick queue for all.
    process: shim('process.cjs'),
    // Required by readable-stream at load time; the package's browser build needs a browser.
    'abort-controller': shim('abort-controller.cjs'),
    // Used only for MQTT 5 topic aliases, which the agent never turns on: a 30-line stand-in.
    'lru-cache': shim('lru-cache.cjs'),
    // The stream classes without the root module's operators, compose, pipeline and promises.
    'readable-stream': shim('readable-stream.cjs'),
  },
  plugins: [
    {
      // MQTT.js reads its own package.json for the version alone; bundle only that.
      name: 'mqtt-package-version',
      setup(build) {
        build.onLoad({ filter: /[\\/]node_modules[\\/]mqtt[\\/]package\.json$/ }, async (args) => {
          const { readFile } = await import('node:fs/promises');
          const { version } = JSON.parse(await readFile(args.path, 'utf8')) as { version: string };
          return { contents: JSON.stringify({ version }), loader: 'json' };
        });
      },
    },
  ],
} satisfies BuildOptions;
