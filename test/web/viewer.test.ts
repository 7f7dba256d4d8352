// A viewer in Chromium: the fleet table, a router's page and a rollout's page show no action
// controls, and the API refuses the actions anyway, also when sent from the page with the
// viewer's own session and CSRF token.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { deviceId } from '../portal/support/documents.ts';
import { openPage } from './support/browser.ts';
import { loginWithForm } from './support/login.ts';
import { screenshot } from './support/screenshots.ts';
import { browserSuite } from './support/browser-suite.ts';

const test = suite('viewer');
const ID = deviceId(0x7e1);
let rolloutId = '';

const web = browserSuite(test, async (rig) => {
  // A silent router keeps the rollout running, so it would offer pause and abort.
  await rig.addRouter(ID, { silent: true });
  const started = await rig.api('POST', '/rollouts', 'operator', {
    action: 'verify',
    reason: 'check',
    target: { ids: [ID] },
    waves: [100],
    wave_timeout_ms: 600_000,
  });
  assert.is(started.status, 201);
  rolloutId = started.body.id;
});

/** Buttons and form controls that change something: none for a viewer. */
async function actionControls(page: Page): Promise<string[]> {
  const names: string[] = [];
  for (const name of [/send now/i, /start rollout/i, /pause/i, /resume/i, /abort/i, /revoke/i])
    if ((await page.getByRole('button', { name }).count()) > 0) names.push(String(name));
  if ((await page.locator('form.action-form').count()) > 0) names.push('action form');
  if ((await page.getByRole('checkbox', { name: /^Select / }).count()) > 0)
    names.push('row selection');
  if ((await page.getByLabel(/^Reason/).count()) > 0) names.push('reason field');
  return names;
}

test('a viewer sees no action controls on the fleet, router and rollout pages', async () => {
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  try {
    await loginWithForm(page, web.rig.accounts.viewer, '/fleet');
    await page.getByRole('link', { name: ID }).waitFor();
    assert.equal(await actionControls(page), [], 'fleet table');
    await screenshot(page, 'fleet-viewer');

    await page.getByRole('link', { name: ID }).click();
    await page.getByTestId('router-ready').waitFor();
    assert.equal(await actionControls(page), [], 'router page');

    await page.goto(`/rollouts/${rolloutId}`);
    await page.getByTestId('rollout-state').getByText('running').waitFor();
    assert.equal(await actionControls(page), [], 'rollout page');
    await screenshot(page, 'rollout-viewer');
    w.assertClean([/status of 401/]);
  } finally {
    await w.close();
  }
});

test('the API refuses a viewer acting from the page with their own session and CSRF token', async () => {
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  try {
    await loginWithForm(page, web.rig.accounts.viewer, '/');
    const statuses = await page.evaluate(`(async () => {
      const csrf = decodeURIComponent(/op25b_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '');
      const post = (path, body) =>
        fetch('/api/v1' + path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify(body),
        }).then((r) => r.status);
      return [
        await post('/actions', { action: 'disable', reason: 'x', target: { id: '${ID}' } }),
        await post('/rollouts', { action: 'disable', reason: 'x', target: { all: true } }),
        await post('/rollouts/${rolloutId}/abort', { reason: 'x' }),
      ];
    })()`);
    assert.equal(statuses, [403, 403, 403]);
    const router = web.rig.routers.find((r) => r.id === ID)!;
    assert.ok(
      router.received.every((m) => m.kind === 'cmd'),
      'no desired state reached the router',
    );
    const rollout = await web.rig.api('GET', `/rollouts/${rolloutId}`, 'viewer');
    assert.is(rollout.body.state, 'running', 'the rollout still runs');
    w.assertClean([/status of 40[13]/]);
  } finally {
    await w.close();
  }
});

test.run();
