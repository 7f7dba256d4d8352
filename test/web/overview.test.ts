// The overview in Chromium against the real service: the counts are what the simulated routers
// published, each count links to the fleet table filtered that way, the chart and the "likely
// infected customers" table show the blocked attempts and their LAN sources.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openPage } from './support/browser.ts';
import { loginWithForm } from './support/login.ts';
import { screenshot } from './support/screenshots.ts';
import { browserSuite } from './support/browser-suite.ts';

const test = suite('overview');
const UNAUTHORIZED = [/status of 401/];

const web = browserSuite(test, async (rig) => {
  const at = new Date().toISOString();
  await Promise.all([
    rig.addRouter('ov-enforcing', {
      status: {
        blocked: 120,
        sources: [
          { address: '198.51.100.10', attempts: 100 },
          { address: '198.51.100.11', attempts: 20 },
        ],
      },
    }),
    rig.addRouter('ov-disabled', { status: { enabled: false } }),
    rig.addRouter('ov-drifted', { status: { applied: false } }),
    rig.addRouter('ov-erroring', {
      status: { error: { code: 'firewall_failed', message: 'nft: syntax error', at } },
    }),
    rig.addRouter('ov-gone'),
  ]);
  // One router loses its connection: the broker publishes its Will, it goes offline.
  await rig.routers.find((r) => r.id === 'ov-gone')!.crash();
  await rig.until('ov-gone offline', async () => {
    const r = await rig.api('GET', '/routers/ov-gone', 'viewer');
    return r.body.online === false ? true : undefined;
  });
});

// What the five routers published: enforcing = enabled and applied (ov-erroring still is).
const EXPECTED = {
  routers: '5',
  online: '4',
  enforcing: '3',
  disabled: '1',
  driftedOrErroring: '2',
  notReporting: '0',
};

test('the counts match what the routers published, and each links to its filter', async () => {
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  try {
    await loginWithForm(page, web.rig.accounts.viewer, '/');
    const counts = page.getByTestId('counts');
    await counts.locator('[data-count="routers"]').filter({ hasText: '5' }).waitFor();
    for (const [key, value] of Object.entries(EXPECTED))
      assert.is(await counts.locator(`[data-count="${key}"]`).innerText(), value, key);
    const summary = await web.rig.api('GET', '/summary', 'viewer');
    assert.equal(
      Object.fromEntries(Object.entries(summary.body).map(([k, v]) => [k, String(v)])),
      EXPECTED,
      'the page shows the API',
    );

    const top = page.getByTestId('top-blocked');
    const row = top.getByRole('row').filter({ hasText: 'ov-enforcing' });
    await row.waitFor();
    assert.match(await row.innerText(), /120/);
    assert.match(await row.innerText(), /198\.51\.100\.10 \(100\), 198\.51\.100\.11 \(20\)/);
    assert.is(await top.locator('tbody tr').count(), 1, 'only routers with blocked attempts');
    const chart = page.getByTestId('fleet-blocked-summary');
    await chart.filter({ hasText: '120 blocked attempts in the last 24 h' }).waitFor();
    assert.ok(await page.locator('.chart canvas').count(), 'uPlot drew the chart');
    await page.getByRole('button', { name: '7 d' }).click();
    await chart.filter({ hasText: 'in the last 7 d' }).waitFor();
    assert.match(await chart.innerText(), /^120 blocked/);
    await page.getByRole('button', { name: '24 h' }).click();
    await chart.filter({ hasText: 'in the last 24 h' }).waitFor();
    await screenshot(page, 'overview');

    // The count is a link to the fleet table with that filter.
    await page.getByRole('link', { name: /Drifted or erroring/ }).click();
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
    assert.is(new URL(page.url()).search, '?trouble=true');
    const table = page.locator('[data-testid="fleet-table"][data-state="ready"]');
    await table.waitFor();
    const ids = await table.locator('tbody th[scope="row"]').allInnerTexts();
    assert.equal(ids.sort(), ['ov-drifted', 'ov-erroring']);
    await page.goBack();
    await page.getByRole('link', { name: /Not reporting/ }).waitFor();
    await page.getByRole('link', { name: /^\s*4\s*Online/ }).click();
    await page.locator('[data-testid="fleet-table"][data-state="ready"]').waitFor();
    assert.is(await page.getByTestId('fleet-total').innerText(), '1–4 of 4 routers');
    w.assertClean(UNAUTHORIZED);
  } finally {
    await w.close();
  }
});

test.run();
