// The router page in Chromium against the real service: its latest status, presence, blocked
// attempts and top LAN sources, the history of what was sent with operator, reason and reply;
// an action on an offline router shows as pending; a router that reboots shows its new run and
// the old one in its past runs; a viewer sees no action.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { topicsFor } from '../../contract/topics.ts';
import { BOOT_A, BOOT_B, stateDoc } from '../portal/support/documents.ts';
import { PREFIX } from '../portal/support/portal-rig.ts';
import { openPage } from './support/browser.ts';
import { loginWithForm } from './support/login.ts';
import { screenshot } from './support/screenshots.ts';
import { browserSuite } from './support/browser-suite.ts';

const test = suite('router page');
const UNAUTHORIZED = [/status of 401/];
const MARKUP = '<img src=x onerror=alert(1)>';

const web = browserSuite(test, async (rig) => {
  await rig.addRouter('rp-infected', {
    status: {
      blocked: 75,
      model: 'GL.iNet GL-MT3000',
      wanProto: 'dhcp',
      sources: [
        { address: '198.51.100.42', attempts: 70 },
        { address: '2001:db8::42', attempts: 5 },
      ],
    },
  });
  const answer = await rig.api('POST', '/actions', 'operator', {
    action: 'disable',
    reason: 'customer asked for their own relay, ticket 99',
    target: { id: 'rp-infected' },
  });
  assert.is(answer.status, 200);
  await rig.until('the reply', async () => {
    const h = await rig.api('GET', '/routers/rp-infected/actions', 'viewer');
    return h.body.items[0]?.status === 'ok' ? true : undefined;
  });
});

test('status, presence, top sources and the history with operator, reason and reply', async () => {
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  try {
    await loginWithForm(page, web.rig.accounts.operator, '/routers/rp-infected');
    await page.getByTestId('router-ready').waitFor();
    assert.match(
      await page.getByTestId('router-title').innerText(),
      /rp-infected.*online.*disabled/s,
    );
    const facts = await page.locator('main').innerText();
    for (const text of [
      'GL.iNet GL-MT3000',
      'dhcp',
      'nftables (fw4 and nft found)',
      '3f9c2a7b51d04e68',
    ])
      assert.ok(facts.includes(text), text);
    // The router republished its counters after applying the desired state: a new policy
    // version means rebuilt rules, so the portal counts them again (a restart, not a delta).
    const detail = (await web.rig.api('GET', '/routers/rp-infected', 'viewer')).body;
    assert.equal(
      detail.topSources.map((s: { address: string }) => s.address),
      ['198.51.100.42', '2001:db8::42'],
    );
    const sources = page.locator('table.sources tbody tr');
    assert.equal(
      await sources.allInnerTexts(),
      detail.topSources.map(
        (s: { address: string; attempts: number }) => `${s.address}\t${s.attempts}`,
      ),
    );
    await page
      .getByTestId('router-blocked-summary')
      .filter({ hasText: `${detail.blocked} blocked attempts in the last 24 h` })
      .waitFor();
    assert.ok(detail.blocked >= 75);

    const history = page.getByTestId('action-history').locator('tbody tr');
    await history.first().waitFor();
    const row = await history.first().innerText();
    assert.match(row, /disable/);
    assert.match(row, /operator1/);
    assert.match(row, /customer asked for their own relay, ticket 99/);
    assert.match(row, /desired state v\d+, disabled/);
    assert.match(row, /\tok\t/);
    assert.ok(await page.getByRole('button', { name: 'Send now' }).isVisible(), 'operators act');
    await screenshot(page, 'router-page');

    // Acting from the page: the reply comes in over the event stream, no reload.
    const form = page.getByRole('form', { name: 'Act on router rp-infected' });
    await form.getByLabel('Action').selectOption('enable');
    await form.getByLabel(/Reason/).fill('relay checked, block back on');
    await form.getByRole('button', { name: 'Send now' }).click();
    await form.getByText('enable: 1 published').waitFor();
    await history
      .filter({ hasText: 'relay checked, block back on' })
      .filter({ hasText: 'ok' })
      .waitFor();
    await page.getByTestId('router-title').filter({ hasText: 'enforcing' }).waitFor();
    w.assertClean(UNAUTHORIZED);
  } finally {
    await w.close();
  }
});

test('an action for an offline router shows as pending until it comes back', async () => {
  const gone = await web.rig.addRouter('rp-offline');
  await gone.crash();
  await web.rig.until('rp-offline offline', async () => {
    const r = await web.rig.api('GET', '/routers/rp-offline', 'viewer');
    return r.body.online === false ? true : undefined;
  });
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  try {
    await loginWithForm(page, web.rig.accounts.operator, '/routers/rp-offline');
    await page.getByTestId('router-ready').waitFor();
    assert.match(await page.getByTestId('router-title').innerText(), /offline/);
    const form = page.getByRole('form', { name: 'Act on router rp-offline' });
    await form.getByLabel('Action').selectOption('reapply');
    await form.getByLabel(/Reason/).fill('rules lost after the power cut');
    await form.getByRole('button', { name: 'Send now' }).click();
    await form.getByText('1 pending (router offline)').waitFor();
    const open = page.getByTestId('open-requests');
    await open.waitFor();
    assert.match(
      await open.innerText(),
      /reapply sent .* by operator1: pending: the router is offline/,
    );
    await screenshot(page, 'router-page-pending');
    w.assertClean(UNAUTHORIZED);
  } finally {
    await w.close();
  }
});

test('a router that reboots: the page shows the new run, and the old one in its past runs', async () => {
  const id = 'rp-reboot';
  const first = await web.rig.addRouter(id);
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  try {
    await loginWithForm(page, web.rig.accounts.viewer, `/routers/${id}`);
    await page.getByTestId('router-ready').waitFor();
    const presence = page.getByTestId('presence-since');
    assert.match(
      await presence.innerText(),
      new RegExp(`^Online since [\\d-]+ [\\d:]+, for \\d+ (s|min)\nPresent run ${BOOT_A} since `),
    );
    await page.getByTestId('boots-count').filter({ hasText: 'No past runs' }).waitFor();

    // Power cut: the broker publishes the Will, the page says so without a reload.
    await first.crash();
    await presence.filter({ hasText: /^Offline since/ }).waitFor();
    // Back with a new boot id: the old run is in the history, ended by its Will.
    const second = await web.rig.addRouter(id, { boot: BOOT_B });
    await presence.filter({ hasText: `Present run ${BOOT_B} since` }).waitFor();
    await presence.filter({ hasText: /^Online since/ }).waitFor();
    const rows = page.getByTestId('boots').locator('tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.allInnerTexts(), [
      bootRow(await rows.first().innerText(), BOOT_A, '0.1.0', 'connection lost (Last Will)'),
    ]);
    await screenshot(page, 'router-page-boots');

    // Ten more runs, each announced while the previous one was online (a version holding
    // markup in the first): eleven past runs, ten to a page.
    const boots = Array.from({ length: 10 }, (_, i) => (0xb0 + i).toString(16).padStart(16, '0'));
    for (const [i, boot] of boots.entries()) {
      const doc = { ...stateDoc(true, boot, new Date().toISOString()) };
      if (i === 0) Object.assign(doc, { agent_version: MARKUP });
      await second.client.publishAsync(topicsFor(PREFIX, id).state, JSON.stringify(doc), {
        qos: 1,
        retain: true,
      });
      // One run per ingest batch: wait until the service has taken it.
      await web.rig.until(`run ${boot}`, async () =>
        (await web.rig.api('GET', `/routers/${id}`, 'viewer')).body.boot === boot
          ? true
          : undefined,
      );
    }
    const count = page.getByTestId('boots-count');
    await count.filter({ hasText: 'Runs 1–10 of 11, newest first' }).waitFor();
    assert.equal(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-boot'))), [
      ...boots.slice(0, 9).reverse(),
      BOOT_B,
    ]);
    const hostile = page.locator(`tr[data-boot="${boots[0]}"] td`).first();
    assert.is(await hostile.innerText(), MARKUP);
    assert.is(await page.getByTestId('boots').locator('img').count(), 0);
    assert.match(
      await page.locator(`tr[data-boot="${BOOT_B}"]`).innerText(),
      /restarted while online/,
    );

    // Paging by keyboard.
    await page.getByRole('button', { name: 'Older runs' }).focus();
    await page.keyboard.press('Enter');
    await count.filter({ hasText: 'Runs 11–11 of 11' }).waitFor();
    assert.equal(await rows.allInnerTexts(), [
      bootRow(await rows.first().innerText(), BOOT_A, '0.1.0', 'connection lost (Last Will)'),
    ]);
    await page.getByRole('button', { name: 'Newer runs' }).focus();
    await page.keyboard.press('Enter');
    await count.filter({ hasText: 'Runs 1–10 of 11' }).waitFor();
    w.assertClean(UNAUTHORIZED);
  } finally {
    await w.close();
  }
});

/** The row text, checked cell by cell: boot, version, two times, a duration, how it ended. */
function bootRow(row: string, boot: string, version: string, ended: string): string {
  const cells = row.split('\t');
  assert.is(cells.length, 6, row);
  assert.equal([cells[0], cells[1], cells[5]], [boot, version, ended]);
  for (const t of [cells[2], cells[3]]) assert.match(t!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  assert.match(cells[4]!, /^\d+ (s|min)$/);
  return row;
}

test('a viewer sees the page but no action', async () => {
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  try {
    await loginWithForm(page, web.rig.accounts.viewer, '/routers/rp-infected');
    await page.getByTestId('router-ready').waitFor();
    await page.getByTestId('action-history').waitFor();
    assert.is(await page.getByRole('button', { name: 'Send now' }).count(), 0);
    assert.is(await page.locator('form.action-form').count(), 0);
    await page.goto('/routers/no-such-router');
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    assert.match(await page.locator('main').innerText(), /There is no router no-such-router/);
    w.assertClean([...UNAUTHORIZED, /status of 404/]);
  } finally {
    await w.close();
  }
});

test.run();
