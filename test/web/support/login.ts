// Logging in from a test: through the login form as a person does, or straight through the API
// into the browser context's cookie jar (for tests about something else).
import type { BrowserContext, Page } from 'playwright-core';
import type { Account } from './web-rig.ts';

/** Fills and submits the shell's login form, then waits until the form is gone. */
export async function loginWithForm(page: Page, account: Account, path = '/'): Promise<void> {
  await page.goto(path);
  await page.getByLabel('Name').fill(account.name);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

/**
 * POST /api/v1/login with the context's own request client: the session and CSRF cookies land
 * in the context, as after a form login. Returns the CSRF token.
 */
export async function loginByApi(context: BrowserContext, account: Account): Promise<string> {
  const res = await context.request.post('/api/v1/login', {
    data: { name: account.name, password: account.password },
  });
  if (res.status() !== 200) throw new Error(`login of ${account.name}: HTTP ${res.status()}`);
  return ((await res.json()) as { csrfToken: string }).csrfToken;
}
