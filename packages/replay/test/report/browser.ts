import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, installed by scripts/setup.sh; playwright-core never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Chromium without background networking, on a fresh temporary profile (Playwright's
 * default launch). Fails, never skips, when Chromium is not installed.
 */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: the HTML report is checked in headless Chromium; run \`bash scripts/setup.sh\` to install it`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
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
