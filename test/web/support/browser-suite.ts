// One browser test file's rig and Chromium: both started before its first test (side by side),
// both stopped after its last. `prepare` adds what every test of the file reads (routers, a
// rollout) once the rig is up.
import type { Browser } from 'playwright-core';
import type { Test } from 'uvu';
import { launchBrowser } from './browser.ts';
import { startWebRig, type WebRig } from './web-rig.ts';

export interface BrowserSuite {
  readonly rig: WebRig;
  readonly browser: Browser;
}

export function browserSuite(test: Test, prepare?: (rig: WebRig) => Promise<void>): BrowserSuite {
  let rig: WebRig | undefined;
  let browser: Browser | undefined;
  test.before(async () => {
    [rig, browser] = await Promise.all([startWebRig(), launchBrowser()]);
    await prepare?.(rig);
  });
  test.after(async () => {
    await browser?.close();
    await rig?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error('the browser suite did not start (see its before hook)');
    return value;
  };
  return {
    get rig() {
      return started(rig);
    },
    get browser() {
      return started(browser);
    },
  };
}
