// The browser harness itself: Chromium opens the real service's API with a session made through
// the login endpoint, and the page watch notices dialogs, page errors and foreign requests.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import { deviceId } from '../portal/support/documents.ts';
import { launchBrowser, openPage } from './support/browser.ts';
import { loginByApi } from './support/login.ts';
import { screenshot } from './support/screenshots.ts';
import { startWebRig, type WebRig } from './support/web-rig.ts';

const test = suite('browser harness');
let rig: WebRig;
let browser: Browser;

test.before(async () => {
  [rig, browser] = await Promise.all([startWebRig(), launchBrowser()]);
});
test.after(async () => {
  await browser?.close();
  await rig?.stop();
});

test('the browser reads the OpenAPI document only after logging in', async () => {
  const w = await openPage(browser, rig.url);
  try {
    const anonymous = await w.page.goto('/api/v1/openapi.json');
    assert.is(anonymous?.status(), 401);
    await loginByApi(w.context, rig.accounts.viewer);
    const res = await w.page.goto('/api/v1/openapi.json');
    assert.is(res?.status(), 200);
    const doc = JSON.parse((await w.page.locator('body').innerText()) || '{}');
    assert.is(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/routers'], 'the document lists /routers');
    await screenshot(w.page, 'harness-openapi');
    w.assertClean([/status of 401/]);
  } finally {
    await w.close();
  }
});

test('a router played over MQTT shows up in what the browser fetches', async () => {
  const id = deviceId(0x5eb);
  await rig.addRouter(id, { status: { model: '<img src=x onerror=alert(1)>' } });
  const w = await openPage(browser, rig.url);
  try {
    await loginByApi(w.context, rig.accounts.viewer);
    // The API's CSP (default-src 'none') keeps its own pages from fetching: read it as a page.
    await w.page.goto('/api/v1/routers?sort=id');
    const list = JSON.parse(await w.page.locator('body').innerText()) as {
      items: { id: string; model: string }[];
    };
    assert.equal(
      list.items.map((r) => [r.id, r.model]),
      [[id, '<img src=x onerror=alert(1)>']],
    );
    w.assertClean();
  } finally {
    await w.close();
  }
});

test('the page watch records dialogs, page errors and requests leaving the service', async () => {
  const w = await openPage(browser, rig.url);
  try {
    await w.page.goto('about:blank');
    // A string, as a script injected into a page would be (no DOM types in the tests).
    await w.page.evaluate(`alert('injected');
      setTimeout(() => { throw new Error('boom'); });
      void fetch('http://127.0.0.2:9/x').catch(() => {});`);
    await rig.until('the problems', async () => (w.problems.length >= 3 ? true : undefined));
    const kinds = w.problems.map((p) => p.kind).sort();
    assert.ok(kinds.includes('dialog') && kinds.includes('pageerror'), kinds.join());
    assert.ok(kinds.includes('foreign-request'), kinds.join());
    assert.throws(() => w.assertClean([/./]), /dialog: alert: injected/);
  } finally {
    await w.close();
  }
});

test.run();
