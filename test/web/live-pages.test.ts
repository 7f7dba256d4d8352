// The live pages in Chromium: each shows a snapshot (GET) kept current by the event stream, and
// neither a change made while the stream connects, nor a slow answer, nor a reload may leave
// it showing something older than what the service holds. Played on the rollout page (a
// rollout over a silent router stays running as long as the test needs).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { deviceId } from '../portal/support/documents.ts';
import { openPage } from './support/browser.ts';
import { loginByApi } from './support/login.ts';
import { browserSuite } from './support/browser-suite.ts';

const test = suite('live pages');

const web = browserSuite(test);

// A change made while the stream is still connecting (on every navigation, and after a
// reconnect) reaches the page by no event: the page must load the snapshot again once it is open.
test('the rollout page catches up with a change made while its event stream connects', async () => {
  const id = await silentRollout(deviceId(0x202));
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  try {
    await loginByApi(w.context, web.rig.accounts.operator);
    await page.route('**/api/v1/events', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`/rollouts/${id}`);
    const state = page.getByTestId('rollout-state');
    await state.getByText('running').waitFor();
    const paused = await web.rig.api('POST', `/rollouts/${id}/pause`, 'operator', {
      reason: 'paused while the page connects',
    });
    assert.is(paused.status, 200, JSON.stringify(paused.body));
    release();
    await state.getByText('paused').waitFor();
    w.assertClean();
  } finally {
    release();
    await w.close();
  }
});

test('a late snapshot does not undo what the event stream already showed', async () => {
  const id = await silentRollout(deviceId(0x203));
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  try {
    await loginByApi(w.context, web.rig.accounts.operator);
    // The page's first GET of the rollout is read now (running) but answered only later.
    let snapshotRead = () => {};
    const read = new Promise<void>((resolve) => (snapshotRead = resolve));
    let first = true;
    await page.route(`**/api/v1/rollouts/${id}`, async (route) => {
      if (!first) return route.continue();
      first = false;
      const answer = await route.fetch();
      snapshotRead();
      await held;
      await route.fulfill({ response: answer });
    });
    const stream = page.waitForResponse((r) => r.url().endsWith('/api/v1/events'));
    await page.goto(`/rollouts/${id}`);
    await Promise.all([stream, read]);
    const paused = await web.rig.api('POST', `/rollouts/${id}/pause`, 'operator', {
      reason: 'paused after the snapshot was read',
    });
    assert.is(paused.status, 200, JSON.stringify(paused.body));
    const state = page.getByTestId('rollout-state');
    await state.getByText('paused').waitFor();
    const late = page.waitForResponse((r) => r.url().endsWith(`/api/v1/rollouts/${id}`));
    release();
    await late;
    await settled(page);
    assert.is(await state.innerText(), 'paused', 'the older snapshot was not shown over it');
    w.assertClean();
  } finally {
    release();
    await w.close();
  }
});

// That reload often starts before the first answer is in: the page must not drop that answer
// and wait for the second.
test('an answer on its way is shown though the page asked again meanwhile', async () => {
  const id = await silentRollout(deviceId(0x204));
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  const held: (() => void)[] = [];
  try {
    await loginByApi(w.context, web.rig.accounts.operator);
    await page.route(`**/api/v1/rollouts/${id}`, async (route) => {
      const answer = await route.fetch();
      await new Promise<void>((resolve) => held.push(resolve));
      await route.fulfill({ response: answer });
    });
    await page.goto(`/rollouts/${id}`);
    // The first request, and the second made when the event stream opened, both held.
    await web.rig.until('two requests held', async () => (held.length === 2 ? true : undefined));
    held[0]!();
    await page.getByTestId('rollout-state').getByText('running').waitFor();
    held[1]!();
    w.assertClean();
  } finally {
    for (const release of held) release();
    await w.close();
  }
});

/** A verify rollout over one silent router: its only wave is sent and waits for ten minutes. */
async function silentRollout(routerId: string): Promise<string> {
  await web.rig.addRouter(routerId, { silent: true });
  const started = await web.rig.api('POST', '/rollouts', 'operator', {
    action: 'verify',
    reason: 'check the rules',
    target: { ids: [routerId] },
    waves: [100],
    wave_timeout_ms: 600_000,
  });
  assert.is(started.status, 201, JSON.stringify(started.body));
  const id: string = started.body.id;
  await web.rig.until('wave 1 sent', async () => {
    const r = await web.rig.api('GET', `/rollouts/${id}`, 'viewer');
    return r.body.waves?.[0]?.state === 'sent' ? true : undefined;
  });
  return id;
}

/** Resolves after the page has run its pending renders and effects (two frames, then a task). */
function settled(page: Page): Promise<void> {
  // A string: the tests' TypeScript has no DOM types.
  return page.evaluate(
    'new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0))))',
  );
}

test.run();
