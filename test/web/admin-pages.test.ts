// The audit log and the admin pages in Chromium: an action shows up with its operator and
// reason, filtered and paged by the service; an admin adds and changes an account, creates an
// API token (shown once) and revokes it; a non-admin gets no Accounts page.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { deviceId } from '../portal/support/documents.ts';
import { openPage } from './support/browser.ts';
import { loginByApi, loginWithForm } from './support/login.ts';
import { screenshot } from './support/screenshots.ts';
import { browserSuite } from './support/browser-suite.ts';

const test = suite('audit and admin pages');

const web = browserSuite(test);

test('the audit log shows an action with its operator and reason, filtered and paged', async () => {
  const id = deviceId(0xa11);
  await web.rig.addRouter(id);
  const reason = 'customer relay abused, ticket <b>4711</b>';
  for (const action of ['disable', 'verify', 'enable'])
    assert.is(
      (await web.rig.api('POST', '/actions', 'operator', { action, reason, target: { id } }))
        .status,
      200,
    );
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  try {
    await loginByApi(w.context, web.rig.accounts.viewer);
    await page.goto('/audit');
    await page.getByLabel('Router').fill(id);
    await page.getByLabel('Action').fill('disable');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('Entries 1–1 of 1, newest first').waitFor();
    const params = new URL(page.url()).searchParams;
    assert.equal([params.get('router'), params.get('action')], [id, 'disable']);
    const row = page.getByTestId('audit').locator('tbody tr');
    const cells = (await row.locator('td').allInnerTexts()).map((s) => s.trim());
    assert.equal(cells.slice(1, 6), ['operator1', 'disable', id, reason, 'published 1 of 1']);
    assert.is(await row.locator('b').count(), 0, 'the reason is text, not markup');
    await row.getByRole('link', { name: id }).waitFor();
    await screenshot(page, 'audit');
    // Time filters: the browser's time zone is UTC (browser.ts); nothing of this test is after the year 2099 began.
    await page.getByLabel('From').fill('2099-01-01T00:00');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No entries match.').waitFor();
    assert.is(new URL(page.url()).searchParams.get('since'), '2099-01-01T00:00:00.000Z');
    await page.getByLabel('From').fill('');
    await page.getByLabel('Until').fill('2099-01-01T00:00');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('Entries 1–1 of 1, newest first').waitFor();

    // Server-side paging: two entries a page, newest first.
    await page.goto(`/audit?router=${id}&limit=2`);
    await page.getByText('Entries 1–2 of 3, newest first').waitFor();
    const actions = () =>
      page.getByTestId('audit').locator('tbody tr td:nth-child(3)').allInnerTexts();
    assert.equal(await actions(), ['enable', 'verify']);
    await page.getByRole('link', { name: 'Older entries' }).click();
    await page.getByText('Entries 3–3 of 3, newest first').waitFor();
    assert.equal(await actions(), ['disable']);
    assert.is(await page.getByRole('link', { name: 'Older entries' }).count(), 0);
    await page.getByRole('link', { name: 'Newer entries' }).waitFor();
    w.assertClean();
  } finally {
    await w.close();
  }
});

test('an admin adds and changes an account, creates a token shown once and revokes it', async () => {
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  try {
    await loginWithForm(page, web.rig.accounts.admin, '/accounts');
    await page.getByRole('heading', { name: 'Accounts and API tokens' }).waitFor();
    const add = page.getByRole('form', { name: 'Add an account' });
    await add.getByLabel('Name').fill('carol');
    await add.getByLabel('Role').selectOption('viewer');
    await add.getByLabel('Password').fill('carol-password-1');
    await add.getByLabel('Reason').fill('new NOC shift');
    await add.getByRole('button', { name: 'Add account' }).click();
    const carol = page.locator('tr[data-account="carol"]');
    await carol.waitFor();
    assert.match(await carol.innerText(), /viewer\s+active/);

    await carol.getByRole('button', { name: 'Change carol' }).click();
    const change = page.getByRole('form', { name: 'Change carol' });
    await change.getByLabel('Role of carol').selectOption('operator');
    await change.getByLabel('Reason').fill('promoted');
    await change.getByRole('button', { name: 'Save' }).click();
    await carol.getByText('operator').waitFor();

    const create = page.getByRole('form', { name: 'Create an API token' });
    await create.getByLabel('Account').selectOption('carol');
    await create.getByLabel('Label').fill('nightly report');
    await create.getByLabel('Reason').fill('report script');
    await create.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByLabel(/The new token for carol/);
    await shown.waitFor();
    const token = await shown.inputValue();
    await screenshot(page, 'accounts');
    const me = await fetch(`${web.rig.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(((await me.json()) as any).operator, { name: 'carol', role: 'operator' });

    await page.reload();
    const tokenRow = page.locator('tr[data-token]', { hasText: 'nightly report' });
    await tokenRow.waitFor();
    assert.is(await page.getByTestId('new-token').count(), 0, 'shown once only');
    assert.not.match(await page.locator('body').innerText(), new RegExp(token));
    await tokenRow.getByRole('button', { name: /Revoke token/ }).click();
    await page.getByLabel(/Reason to revoke token/).fill('script retired');
    await page.getByRole('button', { name: 'Revoke token', exact: true }).click();
    await tokenRow.getByText('revoked').waitFor();
    const after = await fetch(`${web.rig.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.is(after.status, 401, 'a revoked token is refused');

    await carol.getByRole('button', { name: 'Change carol' }).click();
    await change.getByLabel('Disabled').check();
    await change.getByLabel('Reason').fill('left the company');
    await change.getByRole('button', { name: 'Save' }).click();
    await carol.getByText('disabled').waitFor();
    const login = await fetch(`${web.rig.url}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'carol', password: 'carol-password-1' }),
    });
    assert.is(login.status, 401, 'a disabled account cannot log in');

    const audit = await web.rig.api('GET', '/audit?operator=admin1', 'admin');
    assert.equal(
      audit.body.items.map((e: { action: string; reason: string }) => [e.action, e.reason]),
      [
        ['account.change', 'left the company'],
        ['token.revoke', 'script retired'],
        ['token.create', 'report script'],
        ['account.change', 'promoted'],
        ['account.add', 'new NOC shift'],
      ],
    );
    w.assertClean([/status of 401/]);
  } finally {
    await w.close();
  }
});

test('a non-admin gets no Accounts page, and the API refuses them anyway', async () => {
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  try {
    await loginByApi(w.context, web.rig.accounts.operator);
    await page.goto('/');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Audit' })
      .waitFor();
    assert.is(await page.getByRole('link', { name: 'Accounts' }).count(), 0, 'no nav link');
    await page.goto('/accounts');
    await page.getByRole('heading', { name: /not found/i }).waitFor();
    assert.is(await page.getByTestId('accounts').count(), 0);
    for (const path of ['/accounts', '/tokens'])
      assert.is((await web.rig.api('GET', path, 'operator')).status, 403, path);
    // From the page, with the session and its CSRF token, as a tampered page would.
    const refused = await page.evaluate(`(async () => {
      const csrf = /op25b_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
      const res = await fetch('/api/v1/tokens', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ account: 'operator1', reason: 'let me in' }),
      });
      return res.status;
    })()`);
    assert.is(refused, 403);
    w.assertClean([/status of 403/]);
  } finally {
    await w.close();
  }
});

test.run();
