// Debian's Chromium driven by playwright-core (no browser download): one browser per test file,
// a fresh context (cookies, storage) per test, and a watch over each page that records console
// errors, uncaught page errors and dialogs, so a test can assert that none happened.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  // launch() gives every browser a fresh temporary profile (user-data-dir) and removes it after.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root cannot use Chromium's sandbox.
    chromiumSandbox: false,
    args: [
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
    timeout: 30_000,
  });
}

export interface Problem {
  readonly kind: 'console' | 'pageerror' | 'dialog' | 'foreign-request';
  readonly text: string;
}

export interface WatchedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Everything that went wrong on the page so far. */
  readonly problems: Problem[];
  /** Throws listing the problems, except console errors matching one of `allowed`. */
  assertClean(allowed?: readonly RegExp[]): void;
  close(): Promise<void>;
}

/**
 * A new context and page on `baseUrl`. Dialogs are dismissed and recorded (a page of ours never
 * opens one, so one is a script injected by device data); requests that leave `baseUrl`'s
 * origin are aborted and recorded (no CDN, and no exfiltration by an injected `<img>`).
 */
export async function openPage(
  browser: Browser,
  baseUrl: string,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<WatchedPage> {
  const origin = new URL(baseUrl).origin;
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: options.viewport ?? { width: 1366, height: 768 },
    // Times on the pages and in their inputs are the browser's: make them the same everywhere.
    timezoneId: 'UTC',
    locale: 'en-US',
  });
  context.setDefaultTimeout(15_000);
  const problems: Problem[] = [];
  await context.route(
    (url) => url.origin !== origin && url.protocol !== 'data:',
    (route) => {
      problems.push({ kind: 'foreign-request', text: route.request().url() });
      return route.abort();
    },
  );
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error')
      problems.push({
        kind: 'console',
        text: `${message.text()} (${message.location().url || 'no url'})`,
      });
  });
  page.on('pageerror', (error) => problems.push({ kind: 'pageerror', text: String(error) }));
  page.on('dialog', (dialog) => {
    problems.push({ kind: 'dialog', text: `${dialog.type()}: ${dialog.message()}` });
    void dialog.dismiss().catch(() => {});
  });
  return {
    context,
    page,
    problems,
    assertClean(allowed = []) {
      const left = problems.filter(
        (p) => !(p.kind === 'console' && allowed.some((re) => re.test(p.text))),
      );
      if (left.length > 0)
        throw new Error(
          `the page had problems:\n${left.map((p) => `  ${p.kind}: ${p.text}`).join('\n')}`,
        );
    },
    close: () => context.close(),
  };
}
