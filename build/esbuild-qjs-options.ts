// esbuild settings for QuickJS bundles: how the npm packages (MQTT.js and what it brings) are
// resolved and shimmed, shared by esbuild.config.ts (the agent) and the test bundles.
// The globals those packages need are installed at run time by agent/runtime/quickjs/globals.ts.
import type { BuildOptions } from 'esbuild';
import { readFile } from 'node:fs/promises';
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
    // MQTT.js's deep copy of outgoing packets: a 15-line copy for what packets hold.
    'rfdc/default': shim('rfdc-default.cjs'),
    // Needed only by Readable.setEncoding(), which nothing calls.
    string_decoder: shim('string-decoder.cjs'),
    // Codecs the npm `buffer` loads for base64 text and floats, which MQTT.js never uses.
    'base64-js': shim('unused-codecs.cjs'),
    ieee754: shim('unused-codecs.cjs'),
    'process-nextick-args': shim('process-nextick-args.cjs'),
  },
  plugins: [
    {
      // MQTT.js reads its own package.json for the version alone; bundle only that.
      name: 'mqtt-package-version',
      setup(build) {
        build.onLoad({ filter: /[\\/]node_modules[\\/]mqtt[\\/]package\.json$/ }, async (args) => {
          const { version } = JSON.parse(await readFile(args.path, 'utf8')) as { version: string };
          return { contents: JSON.stringify({ version }), loader: 'json' };
        });
      },
    },
  ],
} satisfies BuildOptions;
