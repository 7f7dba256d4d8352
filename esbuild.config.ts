// Bundles the agent into ES modules for QuickJS: dist/op25b-agent.js, the entry, and the chunks
// it loads (dist/op25b-agent-*.js, listed in dist/op25b-agent.files).
//
// Split at the daemon's dynamic import (agent/daemon/load-daemon.ts): QuickJS compiles a whole
// file before it runs a line of it, so the one-shot commands (`apply` at every firewall reload,
// `status` for rpcd) must not carry the daemon, its MQTT client and the crypto. Code both sides
// use sits in a shared chunk, one instance of each module (classes, timers, signal handlers stay
// shared).
// qjs resolves a chunk's `./` import against the importing file's path, wherever it is installed.
//
// Chunks open with a `"use strip"` directive (QuickJS up to 2024-01-13): QuickJS then keeps no
// copy of each function's source text and no line table, about 0.5 MB less heap for the idle
// daemon (a minified bundle's line numbers say little anyway; stack traces keep function names).
// Not in the entry, which must begin with `import` for qjs to load it as a module, nor in a
// chunk with an `import()`, which a stripped function cannot resolve ("no function filename for
// import()"). QuickJS 2025-04-26 and later ignore the directive; there /usr/sbin/op25b passes
// `--strip-source` to the daemon instead.
import { build, type BuildOptions } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { qjsEsbuildOptions } from './build/esbuild-qjs-options.ts';

const { version } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8'),
) as {
  version: string;
};

const DIST = 'dist';
/** The files of the bundle, one a line, entry first: what the package ships. */
const FILE_LIST = 'op25b-agent.files';
const OWN = /^op25b-agent(-.*)?\.js$/;

const options = {
  // How the npm packages (@noble/ed25519, @noble/hashes) are resolved for QuickJS.
  ...qjsEsbuildOptions,
  entryPoints: { 'op25b-agent': 'agent/main.ts' },
  outdir: DIST,
  chunkNames: 'op25b-agent-[name]-[hash]',
  splitting: true,
  bundle: true,
  format: 'esm',
  // QuickJS 2021-03-27 runs ES2020; newer syntax is lowered.
  target: 'es2020',
  // QuickJS's built-in modules.
  external: ['os', 'std'],
  minify: true,
  legalComments: 'none',
  define: { __AGENT_VERSION__: JSON.stringify(version) },
  // qjs decides between script and module by the first token of the file: make it `import`.
  banner: { js: 'import "std";' },
  metafile: true,
  logLevel: 'warning',
} satisfies BuildOptions;

// Chunks of an earlier build must not linger (the package ships what the list names).
mkdirSync(DIST, { recursive: true });
for (const name of readdirSync(DIST, { withFileTypes: true }))
  if (name.isFile() && OWN.test(name.name)) rmSync(join(DIST, name.name));
const result = await build(options);
const files = Object.keys(result.metafile.outputs)
  .map((path) => basename(path))
  .sort(
    (a, b) => Number(b === 'op25b-agent.js') - Number(a === 'op25b-agent.js') || (a < b ? -1 : 1),
  );
writeFileSync(join(DIST, FILE_LIST), files.map((f) => `${f}\n`).join(''));

const STRIP = '"use strip";';
for (const file of files.slice(1)) {
  const path = join(DIST, file);
  const code = readFileSync(path, 'utf8');
  if (!code.includes('import(')) writeFileSync(path, STRIP + code);
}
