// Bundles the NOC's web pages (portal/web) into dist/web/app.js and app.css, served by the portal
// itself (portal/http/web-routes.ts). No CDN: everything the browser loads comes from here.
import { build } from 'esbuild';

await build({
  entryPoints: { app: 'portal/web/main.ts' },
  outdir: 'dist/web',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  // Browsers of the last few years; the NOC's wall display included.
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
