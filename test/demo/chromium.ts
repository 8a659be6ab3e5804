import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** The system's Chromium (Debian's package; CI installs it): tests never download a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless, with nothing that reaches the network on its own (updates, sync, QUIC probes) and
 * without the sandbox, which needs privileges a CI container lacks.
 */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh user-data dir, removed again on close: no state leaks between runs. */
export async function launchChromium(): Promise<Chromium> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install Debian's \`chromium\` package (as .ci/run does) or set CHROMIUM_PATH`);
  const userDataDir = await mkdtemp(join(tmpdir(), 'demo-page-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Emptied at each run; DEMO_SCREENSHOTS_DIR lets CI keep them as artifacts. */
export async function screenshotFolder(): Promise<string> {
  const folder = process.env.DEMO_SCREENSHOTS_DIR ?? join(tmpdir(), 'oz-liveness-demo-page-screenshots');
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  return folder;
}
