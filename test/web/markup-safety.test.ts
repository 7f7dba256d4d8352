// Everything a router sends is shown as text: a model, an error message and a release holding
// markup render as those characters on every page that shows them, with no element made, no
// dialog and no request for the injected image.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openPage } from './support/browser.ts';
import { loginWithForm } from './support/login.ts';
import { screenshot } from './support/screenshots.ts';
import { browserSuite } from './support/browser-suite.ts';

const test = suite('markup safety');
const UNAUTHORIZED = [/status of 401/];
const MODEL = '<img src=x onerror=alert(1)>';
const ERROR = `<script>alert(2)</script>"'><b>bold</b>`;

const web = browserSuite(test, async (rig) => {
  await rig.addRouter('xss-router', {
    status: {
      model: MODEL,
      blocked: 9,
      sources: [{ address: '198.51.100.66', attempts: 9 }],
      error: { code: 'firewall_failed', message: ERROR, at: new Date().toISOString() },
    },
  });
});

test('a hostile model and error message render as text on the overview, fleet and router pages', async () => {
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  // Same-origin requests too: the injected <img src=x> would ask for /x or /routers/x.
  const requested: string[] = [];
  page.on('request', (request) => requested.push(new URL(request.url()).pathname));
  try {
    await loginWithForm(page, web.rig.accounts.operator, '/');
    const top = page.getByTestId('top-blocked').getByRole('row').filter({ hasText: 'xss-router' });
    await top.waitFor();
    assert.ok((await top.innerText()).includes(MODEL), 'overview: the model as text');

    await page.goto('/fleet?q=xss');
    await page.locator('[data-testid="fleet-table"][data-state="ready"]').waitFor();
    const row = page.locator('tr[data-router="xss-router"]');
    assert.ok((await row.innerText()).includes(MODEL), 'fleet: the model as text');
    await screenshot(page, 'markup-safety-fleet');

    await page.goto('/routers/xss-router');
    await page.getByTestId('router-ready').waitFor();
    const main = await page.locator('main').innerText();
    assert.ok(main.includes(MODEL), 'router page: the model as text');
    assert.ok(main.includes(`firewall_failed: ${ERROR}`), 'router page: the error as text');
    await screenshot(page, 'markup-safety-router');

    // Nothing became an element: no <img>, <script> or <b> inside the pages' content.
    assert.is(await page.locator('main img, main script, main b').count(), 0);
    assert.is(await page.locator('img[src="x"]').count(), 0);
    assert.ok(
      !requested.some((p) => /(^|\/)x$/.test(p)),
      `no request for x: ${requested.join(' ')}`,
    );
    const dialogs = w.problems.filter((p) => p.kind === 'dialog');
    assert.equal(dialogs, [], 'no dialog');
    w.assertClean(UNAUTHORIZED);
  } finally {
    await w.close();
  }
});

test('the pages never assign markup: no innerHTML or dangerouslySetInnerHTML in portal/web', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { ROOT } = await import('../mqtt/helpers.ts');
  const files = readdirSync(join(ROOT, 'portal/web'), { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts'),
  );
  assert.ok(files.length > 10, 'the pages were found');
  for (const file of files) {
    const text = readFileSync(join(ROOT, 'portal/web', file), 'utf8');
    assert.not.match(
      text,
      /innerhtml|outerhtml|insertadjacenthtml|document\.write|\beval\(|new Function/i,
      file,
    );
  }
});

test.run();
