/**
 * What the browser tests share: the real stack (test/integration/harness.ts) served on a free port, headless
 * Debian Chromium driven by playwright-core, the screenshot folder, and readers of the page's tables.
 * Needs the built page (`npm run build:web`) and Chromium (`scripts/install-chromium.sh`).
 */
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { WEB_DIST } from '../../src/api/app';
import { startHarness, type Harness, type HarnessOptions } from '../integration/harness';

const CHROMIUM_PATH = '/usr/bin/chromium';
/** Without the networking flags Chromium keeps calling home, which this machine's closed network refuses. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const SCREENSHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');

function requirePrerequisites(): void {
  if (!existsSync(join(WEB_DIST, 'index.html'))) {
    throw new Error(`${join(WEB_DIST, 'index.html')} is missing: run \`npm run build:web\` before the e2e tests`);
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: run scripts/install-chromium.sh`);
}

export interface PageOnStack {
  harness: Harness;
  page: Page;
  baseUrl: string;
  /** Uncaught errors of the page's scripts, for a final "no script errors" check. */
  scriptErrors: string[];
  stop(): Promise<void>;
}

/** The stack, the API and page on a free port, and a Chromium page of this size at `/`. */
export async function openPageOnStack(viewport: { width: number; height: number }, options: HarnessOptions = {}): Promise<PageOnStack> {
  requirePrerequisites();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const harness = await startHarness(options);
  let server: Server | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server!.close(resolve));
    }
    await harness.stop();
  };
  try {
    server = harness.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport });
    const scriptErrors: string[] = [];
    page.on('pageerror', (error) => scriptErrors.push(error.message));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await page.goto(`${baseUrl}/`);
    return { harness, page, baseUrl, scriptErrors, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A table cell's number as the page formats it (`12,345.68`, `-1.5`); NaN for `—`. */
export const cellNumber = (text: string | null) => Number((text ?? '').replace(/,/g, '').replace('−', '-'));

export const bodyRows = (table: Locator) => table.locator('tbody tr[data-row-key]');

export async function columnNumbers(table: Locator, column: string): Promise<number[]> {
  const texts = await bodyRows(table).locator(`td[data-column="${column}"]`).allTextContents();
  return texts.map(cellNumber).filter((value) => !Number.isNaN(value));
}

export const rowKeys = (table: Locator) => bodyRows(table).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-row-key')));

/** Waits until the table shows exactly these row keys, in this order. */
export async function waitForRowKeys(page: Page, testId: string, keys: string[]): Promise<void> {
  await page.waitForFunction(
    ({ testId, keys }) =>
      [...document.querySelectorAll(`[data-testid="${testId}"] tbody tr[data-row-key]`)]
        .map((row) => row.getAttribute('data-row-key'))
        .join() === keys.join(),
    { testId, keys },
  );
}

/** Whether a chart container holds a canvas with a size (something was drawn). */
export const hasDrawnCanvas = (chart: Locator) =>
  chart.evaluate((element) => [...element.querySelectorAll('canvas')].some((canvas) => canvas.width > 0 && canvas.height > 0));
