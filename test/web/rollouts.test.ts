// Staged rollouts in Chromium: one over a filtered selection halts by itself when a wave's
// router answers with an error, the page shows it live with the halt reason, and an operator
// resumes it from the page; pause, resume and abort from the page, each with a reason.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { responseChecker } from '../portal/http/support.ts';
import { deviceId } from '../portal/support/documents.ts';
import { openPage } from './support/browser.ts';
import { loginByApi } from './support/login.ts';
import { screenshot } from './support/screenshots.ts';
import { browserSuite } from './support/browser-suite.ts';

const test = suite('rollouts');
const MODEL = 'TL-WR841N v14';
const checker = responseChecker();

const web = browserSuite(test);

test('a rollout over a filter halts when a wave answers with errors, and resumes', async () => {
  // Four routers of one model, in id order: wave 1 = [1], wave 2 = [2] (refuses), wave 3 = [3, 4];
  // one router of another model stays out of it.
  const ids = [1, 2, 3, 4].map((n) => deviceId(0x100 + n));
  const other = deviceId(0x1ff);
  const routers = await Promise.all([
    ...ids.map((id, i) =>
      web.rig.addRouter(id, {
        status: { model: MODEL },
        ...(i === 1 && { failWith: 'apply_failed' }),
      }),
    ),
    web.rig.addRouter(other, { status: { model: 'Linksys E8450 (UBI)' } }),
  ]);
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  try {
    await loginByApi(w.context, web.rig.accounts.operator);
    // From the fleet table: search the model, select the page, act as a staged rollout.
    await page.goto(`/fleet?q=${encodeURIComponent(MODEL)}`);
    await page.getByTestId('fleet-total').getByText('1–4 of 4 routers').waitFor();
    await page.getByLabel('Select every router on this page').check();
    const form = page.locator('form.action-form');
    await form.getByLabel('Action').selectOption('disable');
    await form.getByLabel(/^Reason/).fill('spam wave, ticket 4711');
    await form.getByLabel('As a staged rollout').check();
    await form.getByLabel(/^Waves/).fill('25, 50, 100');
    await form.getByRole('button', { name: 'Start rollout' }).click();
    await form.getByText('Rollout started over 4 routers in 3 waves.').waitFor();
    const href = await form.getByRole('link', { name: 'Follow the rollout' }).getAttribute('href');
    const id = decodeURIComponent(href!.replace('/rollouts/', ''));

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Rollouts' })
      .click();
    const row = page.locator(`tr[data-rollout="${id}"]`);
    await row.getByText('halted').waitFor();
    assert.match(await row.innerText(), /spam wave, ticket 4711/);
    await screenshot(page, 'rollouts');

    await row.getByRole('link', { name: id }).click();
    await page.getByRole('heading', { name: `Rollout ${id}` }).waitFor();
    assert.match(await page.getByTestId('halt-reason').innerText(), /^wave 2: /);
    const waves = page.getByTestId('waves');
    assert.equal(await waveCells(waves, 1), ['1', '1', 'done', '1', '0', '0', '0']);
    assert.equal(await waveCells(waves, 2), ['2', '1', 'done', '0', '1', '0', '0']);
    assert.equal(await waveCells(waves, 3), ['3', '2', 'pending', '0', '0', '0', '0']);
    // Each router's reply: wave 2's router refused, and a status filter finds it alone.
    const replies = page.getByTestId('replies');
    await replies
      .locator(`tr[data-router="${ids[1]}"]`)
      .getByText('apply_failed: refused')
      .waitFor();
    assert.match(await replies.locator(`tr[data-router="${ids[0]}"]`).innerText(), /\tok\tok\t/);
    await page.getByTestId('replies-count').getByText('Requests 1–2 of 2').waitFor();
    await page.getByLabel('Requests in status').selectOption('error');
    await page.getByTestId('replies-count').getByText('Requests 1–1 of 1').waitFor();
    const answer = await web.rig.api('GET', `/rollouts/${id}/actions`, 'viewer');
    checker.check('GET', '/rollouts/{id}/actions', answer.status, answer.body);
    assert.equal(
      answer.body.items.map((a: { routerId: string; wave: number; status: string }) => [
        a.routerId,
        a.wave,
        a.status,
      ]),
      [
        [ids[0], 0, 'ok'],
        [ids[1], 1, 'error'],
      ],
    );
    await screenshot(page, 'rollout-halted');
    // Nothing reached wave 3 nor the router outside the filter.
    for (const r of [routers[2]!, routers[3]!, routers[4]!])
      assert.is(r.received.length, 0, `${r.id} got nothing`);
    assert.is(routers[0]!.applied > 0, true, 'wave 1 applied it');

    await page.getByLabel('Reason').fill('error understood, router 2 is a lab box');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByTestId('rollout-state').getByText('done').waitFor();
    assert.equal(await waveCells(waves, 3), ['3', '2', 'done', '2', '0', '0', '0']);
    assert.is(await page.getByTestId('halt-reason').count(), 0, 'the halt reason is gone');
    assert.is(await page.getByRole('button', { name: 'Pause' }).count(), 0, 'nothing to control');
    assert.ok(routers[3]!.applied > 0, 'wave 3 applied it');
    await page.getByLabel('Requests in status').selectOption('ok');
    await page.getByTestId('replies-count').getByText('Requests 1–3 of 3').waitFor();
    w.assertClean();
  } finally {
    await w.close();
  }
});

test('pause, resume and abort from the page, each with a reason', async () => {
  // A silent router keeps its wave waiting, so the rollout stays running.
  const id = deviceId(0x201);
  await web.rig.addRouter(id, { silent: true });
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  try {
    await loginByApi(w.context, web.rig.accounts.operator);
    // Start it only once the page's event stream is open.
    const stream = page.waitForResponse((r) => r.url().endsWith('/api/v1/events'));
    await page.goto('/rollouts');
    await stream;
    const started = await web.rig.api('POST', '/rollouts', 'operator', {
      action: 'verify',
      reason: 'check the rules',
      target: { ids: [id] },
      waves: [100],
      wave_timeout_ms: 600_000,
    });
    assert.is(started.status, 201, JSON.stringify(started.body));
    // The list learns of the new rollout from the event stream, without a reload.
    const row = page.locator(`tr[data-rollout="${started.body.id}"]`);
    await row.getByText('running').waitFor();
    await row.getByRole('link', { name: started.body.id }).click();
    const state = page.getByTestId('rollout-state');
    await state.getByText('running').waitFor();
    // Its one wave is sent (the router stays silent): pausing holds the rollout after it.
    await page
      .getByTestId('waves')
      .locator('tr[data-wave="1"] td')
      .nth(1)
      .filter({ hasText: 'sent' })
      .waitFor();
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('alert').filter({ hasText: 'Give a reason to pause' }).waitFor();
    assert.is(await state.innerText(), 'running', 'nothing sent without a reason');

    await page.getByLabel('Reason').fill('hold on, checking wave 1');
    await page.getByRole('button', { name: 'Pause' }).click();
    await state.getByText('paused').waitFor();
    await page.getByLabel('Reason').fill('checked');
    await page.getByRole('button', { name: 'Resume' }).click();
    await state.getByText('running').waitFor();
    await page.getByLabel('Reason').fill('not needed after all');
    await page.getByRole('button', { name: 'Abort' }).click();
    await state.getByText('aborted').waitFor();
    await page.getByText('This rollout is aborted.').waitFor();
    await screenshot(page, 'rollout-aborted');

    const audit = await web.rig.api('GET', `/audit?operator=operator1`, 'viewer');
    const steps = audit.body.items
      .filter((e: { detail?: { rollout?: string } }) => e.detail?.rollout === started.body.id)
      .map((e: { action: string; reason: string }) => [e.action, e.reason])
      .reverse();
    assert.equal(steps, [
      ['rollout.start', 'check the rules'],
      ['rollout.verify', 'check the rules'],
      ['rollout.pause', 'hold on, checking wave 1'],
      ['rollout.resume', 'checked'],
      ['rollout.abort', 'not needed after all'],
    ]);
    w.assertClean();
  } finally {
    await w.close();
  }
});

/** The cells of wave n's row: wave, routers, state, ok, errors, missing, not published. */
async function waveCells(
  table: ReturnType<import('playwright-core').Page['getByTestId']>,
  n: number,
): Promise<string[]> {
  const cells = await table.locator(`tr[data-wave="${n}"] > *`).allInnerTexts();
  return cells.slice(0, 7).map((s) => s.trim());
}

test.run();
