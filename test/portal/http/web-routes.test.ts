// The web pages as served: the shell on every page path with a strict CSP and no inline script,
// the bundle under /assets with cache headers and gzip, nothing else outside /api.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PAGE_PATHS, webRoutes } from '../../../portal/http/web-routes.ts';

const dir = mkdtempSync(join(tmpdir(), 'op25b-web-'));
writeFileSync(join(dir, 'app.js'), 'console.log("app");\n');
writeFileSync(join(dir, 'app.css'), 'body { color: black }\n');
const app = webRoutes(pathToFileURL(dir + '/'));

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('every page path answers the shell: strict CSP, no inline script, versioned assets', async () => {
  for (const path of PAGE_PATHS) {
    const res = await app.request(path.replace(':id', 'r-001'));
    assert.is(res.status, 200, path);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /^default-src 'self';/);
    assert.not.match(csp, /unsafe-inline|unsafe-eval|https?:/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.is(res.headers.get('cache-control'), 'no-cache');
    const body = await res.text();
    assert.match(body, /<script type="module" src="\/assets\/app\.js\?v=[0-9a-f]{16}"><\/script>/);
    assert.not.match(body, /<script>|<script [^>]*>[^<]/, 'no inline script');
  }
});

test('assets: the current version is immutable, gzip when asked, unknown names are 404', async () => {
  const shell = await (await app.request('/')).text();
  const version = /app\.js\?v=([0-9a-f]+)/.exec(shell)![1]!;
  const js = await app.request(`/assets/app.js?v=${version}`, {
    headers: { 'accept-encoding': 'gzip, br' },
  });
  assert.is(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.match(js.headers.get('cache-control') ?? '', /immutable/);
  assert.is(js.headers.get('content-encoding'), 'gzip');
  assert.is(gunzipSync(Buffer.from(await js.arrayBuffer())).toString(), 'console.log("app");\n');
  const stale = await app.request('/assets/app.css?v=old');
  assert.is(stale.headers.get('cache-control'), 'no-cache');
  assert.is(await stale.text(), 'body { color: black }\n');
  for (const path of ['/assets/x.js', '/assets/..%2Fapp.js', '/etc/passwd', '/api/v1/nope'])
    assert.is((await app.request(path)).status, 404, path);
});

test('without a built bundle the pages say how to build it (503)', async () => {
  const empty = webRoutes(pathToFileURL(join(dir, 'missing') + '/'));
  const res = await empty.request('/fleet');
  assert.is(res.status, 503);
  assert.match(await res.text(), /npm run build/);
});

test.run();
