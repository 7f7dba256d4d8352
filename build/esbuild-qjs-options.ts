// esbuild settings for QuickJS bundles: how the npm packages (MQTT.js and what it brings) are
// resolved and shimmed, shared by esbuild.config.ts (the agent) and the test bundles; and the
// lazily loaded daemon of the agent bundle (lazyDaemon below).
// The globals those packages need are installed at run time by agent/runtime/quickjs/globals.ts.
import { build as esbuild, type BuildOptions, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const shim = (file: string): string =>
  fileURLToPath(new URL(`./qjs-shims/${file}`, import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));

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

const LOAD_DAEMON = /[\\/]agent[\\/]daemon[\\/]load-daemon\.ts$/;
const REGISTRY = '__op25bShared';
const DAEMON = '__op25bDaemon';

/**
 * The daemon as a string, evaluated only by `run`. QuickJS compiles a whole file before it runs
 * a line of it; with the daemon, MQTT.js, its streams and the crypto inside, every start of a
 * one-shot command (`apply` at each firewall reload, `status` for rpcd) took ~20 ms longer.
 *
 * Three passes: (A) the CLI alone, to learn which modules it already holds; (B) the daemon's
 * entry as an IIFE in which each of those modules is read from a registry instead of being
 * bundled again (one instance of each: classes, timers and signal handlers stay shared);
 * (C, the build this plugin runs in) load-daemon.ts replaced by a loader that fills the
 * registry and evaluates (B)'s text. A string is scanned far faster than code is compiled.
 */
export function lazyDaemon(options: BuildOptions): Plugin {
  const passOptions = {
    ...options,
    ...qjsEsbuildOptions,
    bundle: true,
    write: false,
    metafile: true,
    outfile: undefined,
    banner: undefined,
    logLevel: 'warning',
  } satisfies BuildOptions;

  async function cliModules(): Promise<Set<string>> {
    const pass = await esbuild({
      ...passOptions,
      entryPoints: ['agent/main.ts'],
      outfile: 'dist/cli-only.js',
      plugins: [
        ...qjsEsbuildOptions.plugins,
        {
          name: 'no-daemon',
          setup(build) {
            build.onLoad({ filter: LOAD_DAEMON }, () => ({
              contents: 'export function loadDaemon() { throw new Error("no daemon"); }',
              loader: 'js',
            }));
          },
        },
      ],
    });
    return new Set(Object.keys(pass.metafile.inputs).filter((f) => f.startsWith('agent/')));
  }

  async function daemonChunk(cli: Set<string>): Promise<{ source: string; shared: string[] }> {
    const shared = new Set<string>();
    const pass = await esbuild({
      ...passOptions,
      entryPoints: ['agent/daemon/run-daemon.ts'],
      outfile: 'dist/daemon-chunk.js',
      format: 'iife',
      globalName: DAEMON,
      // The value of the indirect eval: the module's exports.
      footer: { js: `;${DAEMON}` },
      plugins: [
        ...qjsEsbuildOptions.plugins,
        {
          name: 'shared-modules',
          setup(build) {
            build.onResolve({ filter: /^\.\.?\// }, async (args) => {
              if (args.pluginData === 'inner') return undefined;
              const resolved = await build.resolve(args.path, {
                resolveDir: args.resolveDir,
                kind: args.kind,
                pluginData: 'inner',
              });
              const file = relative(root, resolved.path);
              if (!cli.has(file)) return { path: resolved.path };
              shared.add(file);
              return { path: file, namespace: 'shared' };
            });
            build.onLoad({ filter: /.*/, namespace: 'shared' }, (args) => ({
              contents: `module.exports = globalThis.${REGISTRY}[${JSON.stringify(args.path)}];`,
              loader: 'js',
            }));
          },
        },
      ],
    });
    return { source: pass.outputFiles[0]!.text, shared: [...shared].sort() };
  }

  return {
    name: 'lazy-daemon',
    setup(build) {
      build.onLoad({ filter: LOAD_DAEMON }, async () => {
        const { source, shared } = await daemonChunk(await cliModules());
        const imports = shared.map((f, i) => `import * as m${i} from ${JSON.stringify(`./${f}`)};`);
        const entries = shared.map((f, i) => `${JSON.stringify(f)}: m${i}`);
        return {
          resolveDir: root,
          loader: 'js',
          contents: [
            ...imports,
            `const source = ${JSON.stringify(source)};`,
            'let loaded;',
            'export function loadDaemon() {',
            `  if (!loaded) {`,
            `    globalThis.${REGISTRY} = { ${entries.join(', ')} };`,
            '    loaded = (0, eval)(source);',
            '  }',
            '  return loaded;',
            '}',
          ].join('\n'),
        };
      });
    },
  };
}
