// Logging in and out in Chromium against the real service: a wrong password is refused with a
// message, the right one opens the page asked for, logout ends the session on the server too.
// Also the harness's own page watch: it notices dialogs, page errors and requests elsewhere.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openPage } from './support/browser.ts';
import { loginWithForm } from './support/login.ts';
import { screenshot } from './support/screenshots.ts';
import { browserSuite } from './support/browser-suite.ts';

const test = suite('login');
// The browser logs every 401 answer (the shell's first GET /me, a refused login).
const UNAUTHORIZED = [/status of 401/];

const web = browserSuite(test);

test('a wrong password is refused with a message; the right one opens the page asked for', async () => {
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  try {
    await page.goto('/audit');
    await page.getByLabel('Name').waitFor();
    assert.is(new URL(page.url()).pathname, '/login', 'sent to the login page');
    await screenshot(page, 'login');
    await page.getByLabel('Name').fill(web.rig.accounts.operator.name);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong name or password' }).waitFor();
    assert.is(await page.getByRole('button', { name: 'Log out' }).count(), 0, 'not logged in');
    assert.is((await w.context.cookies()).filter((c) => c.name === 'op25b_session').length, 0);

    await page.getByLabel('Password').fill(web.rig.accounts.operator.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    assert.is(new URL(page.url()).pathname, '/audit', 'back where the user wanted to go');
    assert.is(await page.getByTestId('current-user').innerText(), 'operator1 (operator)');
    const session = (await w.context.cookies()).find((c) => c.name === 'op25b_session');
    assert.ok(session?.httpOnly && session.sameSite === 'Strict', 'HttpOnly, SameSite=Strict');
    w.assertClean(UNAUTHORIZED);
  } finally {
    await w.close();
  }
});

test('logout ends the session on the server, not only in the page', async () => {
  const w = await openPage(web.browser, web.rig.url);
  const { page } = w;
  try {
    await loginWithForm(page, web.rig.accounts.viewer);
    const me = await w.context.request.get('/api/v1/me');
    assert.is(me.status(), 200);
    const cookie = (await w.context.cookies()).find((c) => c.name === 'op25b_session')!;
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You are logged out.').waitFor();
    await page.getByLabel('Password').waitFor();
    // The old session cookie, replayed, is refused: the server ended the session.
    const replay = await fetch(`${web.rig.url}/api/v1/me`, {
      headers: { cookie: `op25b_session=${cookie.value}` },
    });
    assert.is(replay.status, 401);
    await page.goto('/rollouts');
    await page.getByLabel('Password').waitFor();
    // The shell moves to /login once the service has refused the ended session.
    await page.waitForURL((url) => url.pathname === '/login');
    assert.is(await page.getByRole('button', { name: 'Log out' }).count(), 0);
    w.assertClean(UNAUTHORIZED);
  } finally {
    await w.close();
  }
});

test('the page watch records dialogs, page errors and requests leaving the service', async () => {
  const w = await openPage(web.browser, web.rig.url);
  try {
    await w.page.goto('about:blank');
    // A string, as a script injected into a page would be (no DOM types in the tests).
    await w.page.evaluate(`alert('injected');
      setTimeout(() => { throw new Error('boom'); });
      void fetch('http://127.0.0.2:9/x').catch(() => {});`);
    await web.rig.until('the problems', async () => (w.problems.length >= 3 ? true : undefined));
    const kinds = w.problems.map((p) => p.kind).sort();
    assert.ok(kinds.includes('dialog') && kinds.includes('pageerror'), kinds.join());
    assert.ok(kinds.includes('foreign-request'), kinds.join());
    assert.throws(() => w.assertClean([/./]), /dialog: alert: injected/);
  } finally {
    await w.close();
  }
});

test.run();
