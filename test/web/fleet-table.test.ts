// The fleet table in Chromium against the real service: filter, search and sort (server-side,
// reflected in the URL), sparklines, open a router; disable one router with a reason and watch
// the simulated router's reply change the row without a reload; act on "all N matching"; CSV.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { BACKENDS } from '../../contract/message-types.ts';

interface ValidityState {
  readonly valueMissing: boolean;
}
import { openPage } from './support/browser.ts';
import { loginWithForm } from './support/login.ts';
import { screenshot } from './support/screenshots.ts';
import { browserSuite } from './support/browser-suite.ts';

const test = suite('fleet table');
const UNAUTHORIZED = [/status of 401/];
const N = 12;
const id = (i: number) => `ft-${String(i).padStart(2, '0')}`;

const web = browserSuite(test, async (rig) => {
  await Promise.all(
    Array.from({ length: N }, (_, i) =>
      rig.addRouter(id(i), {
        status: {
          blocked: i * 10,
          backend: i % 3 === 0 ? 'iptables' : 'nftables',
          model: i % 2 ? 'Linksys E8450 (UBI)' : 'TP-Link Archer C7 v5',
          ...(i > 0 && { sources: [{ address: `198.51.100.${i}`, attempts: i * 10 }] }),
        },
      }),
    ),
  );
});

const ready = (page: Page) =>
  page.locator('[data-testid="fleet-table"][data-state="ready"]').waitFor();
const shownIds = (page: Page) =>
  page.locator('[data-testid="fleet-table"] tbody th[scope="row"]').allInnerTexts();

test('filter, search and sort on the server, the URL says so; sparklines; open a router', async () => {
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  try {
    await loginWithForm(page, web.rig.accounts.viewer, '/fleet');
    await ready(page);
    assert.is(await page.getByTestId('fleet-total').innerText(), `1–${N} of ${N} routers`);
    assert.is(await page.locator('[data-testid="fleet-table"] input[type=checkbox]').count(), 0);

    // Every backend the contract names, the simulated one of `npm start` included.
    assert.equal(
      await page
        .getByLabel('Backend')
        .locator('option')
        .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value)),
      ['', ...BACKENDS],
    );
    await page.getByLabel('Backend').selectOption('iptables');
    await page.waitForURL(/backend=iptables/);
    await ready(page);
    assert.equal(await shownIds(page), [id(0), id(3), id(6), id(9)]);

    await page.getByRole('button', { name: 'Blocked 24 h' }).click();
    await page.waitForURL(/sort=blocked/);
    await page.getByRole('button', { name: 'Blocked 24 h' }).click();
    await page.waitForURL(/sort=-blocked/);
    await ready(page);
    assert.equal(await shownIds(page), [id(9), id(6), id(3), id(0)]);
    const header = page.locator('th[aria-sort="descending"]');
    assert.match(await header.innerText(), /Blocked 24 h/);

    await page.getByLabel('Search id, model, board, release').fill('Archer');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/q=Archer/);
    await ready(page);
    assert.equal(await shownIds(page), [id(6), id(0)], 'iptables, Archer (even), by blocked');
    const spark = page.locator(`tr[data-router="${id(6)}"] svg.sparkline`);
    await spark.waitFor();
    assert.match((await spark.getAttribute('aria-label')) ?? '', /: 60 in 24 h/);
    const url = new URL(page.url());
    assert.equal(Object.fromEntries(url.searchParams), {
      backend: 'iptables',
      sort: '-blocked',
      q: 'Archer',
    });
    await screenshot(page, 'fleet-table');

    // The URL alone restores the view (a bookmark, a link from a colleague).
    await page.goto(url.pathname + url.search);
    await ready(page);
    assert.equal(await shownIds(page), [id(6), id(0)]);

    await page.getByRole('link', { name: id(6), exact: true }).click();
    await page.getByTestId('router-title').waitFor();
    assert.is(new URL(page.url()).pathname, `/routers/${id(6)}`);
    assert.match(await page.getByTestId('router-title').innerText(), new RegExp(id(6)));
    await page.getByRole('cell', { name: '198.51.100.6', exact: true }).waitFor();
    w.assertClean(UNAUTHORIZED);
  } finally {
    await w.close();
  }
});

test('disable one router with a reason: published, the reply arrives, the row changes live', async () => {
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  try {
    await loginWithForm(page, web.rig.accounts.operator, '/fleet?limit=25');
    await ready(page);
    const target = web.rig.routers.find((r) => r.id === id(4))!;
    const row = page.locator(`tr[data-router="${id(4)}"]`);
    assert.is(await row.locator('[data-enforcement]').innerText(), 'enforcing');
    // Marks this document: a reload would lose it.
    await page.evaluate('window.__sameDocument = true');

    await row.getByRole('checkbox', { name: `Select ${id(4)}` }).check();
    const form = page.getByRole('form', { name: `Act on router ${id(4)}` });
    await form.getByLabel('Action').selectOption('disable');
    await form.getByRole('button', { name: 'Send now' }).click();
    // The browser itself refuses the empty required field; nothing is sent.
    assert.is(
      await form
        .getByLabel(/Reason/)
        .evaluate((el) => (el as unknown as { validity: ValidityState }).validity.valueMissing),
      true,
    );
    await form.getByLabel(/Reason/).fill('   ');
    await form.getByRole('button', { name: 'Send now' }).click();
    await form.getByText('Give a reason').waitFor();
    assert.is(target.received.length, 0, 'nothing sent without a reason');

    await form.getByLabel(/Reason/).fill('spam from a LAN host, ticket 4711');
    await form.getByRole('button', { name: 'Send now' }).click();
    await form.getByText('disable: 1 published').waitFor();
    await row.locator('[data-enforcement="disabled"]').waitFor();
    await row.locator('[data-request-status="ok"]').waitFor();
    assert.is(await page.evaluate('window.__sameDocument'), true, 'no reload');

    const desired = target.received.find((m) => m.kind === 'desired');
    assert.ok(desired?.retained !== undefined, 'the router received its desired state');
    assert.is(desired!.claims.enabled, false);
    const history = await web.rig.api('GET', `/routers/${id(4)}/actions`, 'viewer');
    assert.is(history.body.items[0].operator, 'operator1');
    assert.is(history.body.items[0].reason, 'spam from a LAN host, ticket 4711');
    assert.is(history.body.items[0].status, 'ok');
    // Only that router changed.
    assert.is(
      await page.locator(`tr[data-router="${id(5)}"] [data-enforcement]`).innerText(),
      'enforcing',
    );
    w.assertClean(UNAUTHORIZED);
  } finally {
    await w.close();
  }
});

test('select all N matching the filter and act on them; the CSV export has the same filter', async () => {
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  try {
    await loginWithForm(page, web.rig.accounts.operator, '/fleet?backend=nftables&limit=10');
    await ready(page);
    assert.is(await page.getByTestId('fleet-total').innerText(), '1–8 of 8 routers');
    await page.getByLabel('Rows').selectOption('10');
    await page.goto('/fleet?limit=10');
    await ready(page);
    assert.is(await page.getByTestId('fleet-total').innerText(), `1–10 of ${N} routers`);
    await page.getByRole('checkbox', { name: 'Select every router on this page' }).check();
    await page.getByRole('button', { name: `Select all ${N} matching this filter` }).click();
    const form = page.getByRole('form', { name: `Act on all ${N} routers matching this filter` });
    await form.getByLabel('Action').selectOption('verify');
    await form.getByLabel(/Reason/).fill('check the rules after the upgrade');
    await form.getByRole('button', { name: 'Send now' }).click();
    await form.getByText(`verify: ${N} published`).waitFor();
    await web.rig.until('every router got the verify command', async () =>
      web.rig.routers.every((r) => r.received.some((m) => m.kind === 'cmd')) ? true : undefined,
    );

    await page.goto('/fleet?backend=iptables&sort=-blocked');
    await ready(page);
    const href = await page.getByRole('link', { name: /Export CSV/ }).getAttribute('href');
    assert.is(href, '/api/v1/export/routers.csv?backend=iptables&sort=-blocked');
    const csv = await (await w.context.request.get(href!)).text();
    const lines = csv.trim().split('\r\n');
    assert.equal(
      lines.slice(1).map((l) => l.split(',')[0]),
      [id(9), id(6), id(3), id(0)],
    );
    w.assertClean(UNAUTHORIZED);
  } finally {
    await w.close();
  }
});

test.run();
