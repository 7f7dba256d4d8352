// Bundles the agent into one ES module for QuickJS: dist/op25b-agent.js.
import { build, type BuildOptions } from 'esbuild';
import { readFileSync } from 'node:fs';
import { lazyDaemon, qjsEsbuildOptions } from './build/esbuild-qjs-options.ts';

const { version } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8'),
) as {
  version: string;
};

const options = {
  // npm packages (MQTT.js and its dependencies) resolved and shimmed for QuickJS.
  ...qjsEsbuildOptions,
  entryPoints: ['agent/main.ts'],
  outfile: 'dist/op25b-agent.js',
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
  logLevel: 'warning',
} satisfies BuildOptions;

// The daemon (and MQTT.js with it) is compiled only when `run` starts it.
await build({ ...options, plugins: [...options.plugins, lazyDaemon(options)] });
