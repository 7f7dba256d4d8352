// The NOC's web pages: every page path (PAGE_PATHS) answers the same HTML shell, /assets/* the bundle that
// build/web.ts writes to dist/web. A strict Content-Security-Policy: scripts, styles and
// connections only from this service, no inline script, nothing framed.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Hono, type Context } from 'hono';
import type { AppEnv } from './app-env.ts';

export const WEB_DIST = new URL('../../dist/web/', import.meta.url);

export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " +
  "frame-ancestors 'none'";

/** Paths that answer the HTML shell: one per page of portal/web/routes.ts. */
export const PAGE_PATHS: readonly string[] = [
  '/',
  '/login',
  '/fleet',
  '/routers/:id',
  '/rollouts',
  '/rollouts/:id',
  '/audit',
  '/accounts',
];

const ASSETS = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
} as const;
type AssetName = keyof typeof ASSETS;

interface Asset {
  readonly body: Buffer;
  readonly gzip: Buffer;
  readonly type: string;
}

interface Bundle {
  readonly assets: Record<AssetName, Asset>;
  /** Changes with the bundle: the shell's asset URLs carry it, so assets may be cached for good. */
  readonly version: string;
  readonly shell: string;
}

function loadBundle(dir: URL): Bundle | null {
  const assets = {} as Record<AssetName, Asset>;
  const hash = createHash('sha256');
  try {
    for (const [name, type] of Object.entries(ASSETS) as [AssetName, string][]) {
      const body = readFileSync(new URL(name, dir));
      hash.update(body);
      assets[name] = { body, gzip: gzipSync(body, { level: 9 }), type };
    }
  } catch {
    return null;
  }
  const version = hash.digest('hex').slice(0, 16);
  const shell = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OP25B portal</title>
<link rel="stylesheet" href="/assets/app.css?v=${version}">
<script type="module" src="/assets/app.js?v=${version}"></script>
</head>
<body>
<div id="app"><noscript>The OP25B portal's pages need JavaScript.</noscript></div>
</body>
</html>
`;
  return { assets, version, shell };
}

function pageHeaders(c: Context<AppEnv>): void {
  c.header('Content-Security-Policy', PAGE_CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'same-origin');
}

export function webRoutes(dir: URL = WEB_DIST): Hono<AppEnv> {
  let bundle: Bundle | null = null;
  const current = () => (bundle ??= loadBundle(dir));
  const app = new Hono<AppEnv>();

  app.get('/assets/:name', (c) => {
    const name = c.req.param('name');
    const loaded = current();
    if (!loaded || !Object.hasOwn(ASSETS, name)) return c.notFound();
    const asset = loaded.assets[name as AssetName];
    pageHeaders(c);
    // Asked for with the current version: it never changes under that URL.
    c.header(
      'Cache-Control',
      c.req.query('v') === loaded.version ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    c.header('Content-Type', asset.type);
    c.header('Vary', 'Accept-Encoding');
    const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    if (gzip) c.header('Content-Encoding', 'gzip');
    return c.body(new Uint8Array(gzip ? asset.gzip : asset.body));
  });

  // The pages' paths (portal/web/routes.ts picks the page): each answers the shell.
  const shell = (c: Context<AppEnv>) => {
    const loaded = current();
    pageHeaders(c);
    c.header('Cache-Control', 'no-cache');
    if (!loaded)
      return c.text('The web pages are not built: run `npm run build`.\n', 503, {
        'Content-Type': 'text/plain; charset=utf-8',
      });
    return c.html(loaded.shell);
  };
  for (const path of PAGE_PATHS) app.get(path, shell);
  return app;
}
