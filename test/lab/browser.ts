// Headless Chromium for the lab's tests: Debian's /usr/bin/chromium driven by playwright-core (as the report
// tests do). `maybeDescribe` skips the tests, saying why, where it is missing, and fails them under
// COURSE_REQUIRE_TOOLS=1 (CI). Screenshots go to docs/lab/ only when COURSE_LAB_SCREENSHOTS=1, so an ordinary run
// leaves the tree clean.

import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { repoRoot, toolPresent } from '../helpers';

export const CHROMIUM = '/usr/bin/chromium';

export function chromiumPresent(what: string): boolean {
  return toolPresent(existsSync(CHROMIUM), `${CHROMIUM}, for ${what} (apt-get install -y chromium)`);
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Writes docs/lab/<name>.png when COURSE_LAB_SCREENSHOTS=1; returns the PNG either way (for the width check). */
export async function screenshot(page: Page, name: string): Promise<Buffer> {
  const keep = process.env.COURSE_LAB_SCREENSHOTS === '1';
  const dir = path.join(repoRoot, 'docs', 'lab');
  if (keep) mkdirSync(dir, { recursive: true });
  return page.screenshot({ fullPage: false, ...(keep ? { path: path.join(dir, `${name}.png`) } : {}) });
}

/** The page never scrolls sideways, and no element of `selector` sticks out of the viewport. */
export async function overflow(page: Page, selector: string): Promise<{ page: boolean; outside: string[] }> {
  const size = await page.evaluate(() => {
    // (The tests' TypeScript has no DOM types: the one object used here, typed by hand.)
    const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
    return { scroll: doc.documentElement.scrollWidth, client: doc.documentElement.clientWidth };
  });
  const outside = await page.$$eval(
    selector,
    (els, width) =>
      els
        .filter((e) => {
          const r = e.getBoundingClientRect();
          return r.width > 0 && (r.left < -0.5 || r.right > width + 0.5);
        })
        .map((e) => `${e.tagName.toLowerCase()}.${e.getAttribute('class') ?? ''}`),
    size.client,
  );
  return { page: size.scroll > size.client, outside };
}
