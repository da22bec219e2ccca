import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it); `DEFECTKIT_CHROMIUM` overrides. Never downloaded. */
export const chromiumPath = process.env.DEFECTKIT_CHROMIUM ?? '/usr/bin/chromium';

/** A headless Chromium with a fresh profile, removed on close. */
export interface HeadlessChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches the system Chromium headless with a throw-away profile and nothing that talks to the network on its
 * own (no QUIC, background networking, component updates or sync). Fails loudly when Chromium is missing:
 * browser tests never pass by skipping.
 */
export async function launchChromium(): Promise<HeadlessChromium> {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: install Debian's chromium (apt-get install -y chromium) or set DEFECTKIT_CHROMIUM`);
  const profile = mkdtempSync(join(tmpdir(), 'defectkit-chromium-'));
  // Playwright passes the fresh profile as --user-data-dir (it refuses the flag in args).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    acceptDownloads: true,
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
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
