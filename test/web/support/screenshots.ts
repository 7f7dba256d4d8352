// Screenshots of the pages as test artifacts, for a person to look at: PNGs in the git-ignored
// artifacts/screenshots/ folder, overwritten by each run.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from '../../mqtt/helpers.ts';

export const SCREENSHOTS = join(ROOT, 'artifacts', 'screenshots');

/** Writes artifacts/screenshots/<name>.png (the whole page) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`bad screenshot name ${name}`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}
