/**
 * The web page in headless Chromium against the real API (Temporal worker, PostgreSQL): a refused
 * submission, a two-symbol daily backtest submitted through the form and followed to completion,
 * its summary, charts and trade table, a reload back to the open task, pinning and deleting it.
 * Needs the built page (`npm run build:web`) and Debian's Chromium (`scripts/install-chromium.sh`).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { ResultResponse } from '../../src/contracts/api';
import type { Harness } from '../integration/harness';
import {
  bodyRows,
  columnNumbers,
  hasDrawnCanvas,
  openPageOnStack,
  rowKeys,
  SCREENSHOTS,
  waitForRowKeys,
  type PageOnStack,
} from './browser';

const SYMBOLS = ['BTC_KRW', 'ETH_KRW'];
const TRADES_PAGE_SIZE = 50;
const SUMMARY_METRICS = ['win_rate', 'max_drawdown', 'total_signals', 'total_pnl', 'sharpe', 'cagr', 'buy_and_hold_return_pct'];
const BACKTEST_DEADLINE_MS = 180_000;

jest.setTimeout(BACKTEST_DEADLINE_MS + 60_000);

type Trade = ResultResponse['trades']['rows'][number];
const tradeKey = (trade: Trade) => `${trade.symbol}:${trade.signal_index}`;

/** The keys of the first page of all trades sorted by return_pct, ties in file order: what the server should show. */
function firstSortedPage(trades: Trade[], descending: boolean): string[] {
  const direction = descending ? -1 : 1;
  const order = trades.map((trade, index) => ({ trade, index }));
  order.sort((a, b) => (a.trade.return_pct - b.trade.return_pct) * direction || a.index - b.index);
  return order.slice(0, TRADES_PAGE_SIZE).map(({ trade }) => tradeKey(trade));
}

describe('the web page', () => {
  let stack: PageOnStack;
  let harness: Harness;
  let page: Page;
  let baseUrl: string;
  let taskId: string;

  beforeAll(async () => {
    stack = await openPageOnStack({ width: 1440, height: 1000 });
    ({ harness, page, baseUrl } = stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('builds the form from the strategies and the market data', async () => {
    const form = page.getByTestId('backtest-form');
    await form.waitFor();
    expect(await form.locator('#strategy option').count()).toBeGreaterThan(0);
    expect(await form.locator('#param-initial_capital').inputValue()).not.toBe('');
    for (const symbol of SYMBOLS) {
      await form.locator(`[data-testid=symbol-picker] input[value="${symbol}"]`).check();
    }
    for (const checkbox of await form.locator('[data-testid=symbol-picker] input[type=checkbox]').all()) {
      if (!SYMBOLS.includes(await checkbox.inputValue())) await checkbox.uncheck();
    }
    await form.locator('#timeframe').selectOption('1d');
    expect(await form.locator('#timeframe option').allTextContents()).toEqual(expect.arrayContaining(['1d', '1h']));
    expect(await form.locator('#start_date').inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await form.locator('#end_date').inputValue()).toBe(await form.locator('#end_date').getAttribute('max'));
    await page.screenshot({ path: join(SCREENSHOTS, 'form.png'), fullPage: true });
  });

  it("shows the API's message beside the field it names when the request is refused", async () => {
    const form = page.getByTestId('backtest-form');
    const endDate = await form.locator('#end_date').inputValue();
    await form.locator('#end_date').fill((await form.locator('#end_date').getAttribute('min')) as string);
    await page.getByTestId('submit-backtest').click();
    await expect(page.getByTestId('field-error-end_date').textContent()).resolves.toMatch(/before start_date/);
    await expect(page.getByTestId('form-error').textContent()).resolves.toMatch(/end_date/);
    await form.locator('#end_date').fill(endDate);
  });

  it('submits a two-symbol daily backtest and follows its progress per symbol to completion', async () => {
    await page.getByTestId('submit-backtest').click();
    await page.waitForURL(/#\/tasks\/[0-9a-f-]{36}$/);
    taskId = page.url().split('/').at(-1)!;
    const rows = page.getByTestId('symbol-progress-row');
    await rows.first().waitFor();
    expect((await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-symbol')))).sort()).toEqual(SYMBOLS);
    expect(await page.getByTestId('temporal-link').getAttribute('href')).toContain(taskId);
    await page.screenshot({ path: join(SCREENSHOTS, 'progress.png'), fullPage: true });

    await page.locator('[data-testid=task-status][data-status=completed]').waitFor({ timeout: BACKTEST_DEADLINE_MS });
    expect(await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-state')))).toEqual([
      'completed',
      'completed',
    ]);
  });

  it('shows one summary row of numbers per symbol, and the equity and drawdown charts', async () => {
    const summary = page.getByTestId('summary-table');
    await bodyRows(summary).first().waitFor();
    expect((await bodyRows(summary).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-row-key')))).sort()).toEqual(SYMBOLS);
    const headings = await summary.locator('th').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-column')));
    expect(headings).toEqual(expect.arrayContaining(SUMMARY_METRICS));
    for (const metric of ['total_signals', 'total_pnl', 'max_drawdown']) {
      expect(await columnNumbers(summary, metric)).toHaveLength(SYMBOLS.length);
    }

    for (const chart of ['equity-chart', 'drawdown-chart']) expect(await hasDrawnCanvas(page.getByTestId(chart))).toBe(true);
    expect(await page.locator('[data-testid=chart-container] a[href*="tradingview"]').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'result.png'), fullPage: true });
  });

  it('pages through the trades and sorts all of them on the server by a clicked column', async () => {
    const trades = page.getByTestId('trade-table');
    await bodyRows(trades).first().waitFor();
    const range = page.getByTestId('trades-pager-range');
    const total = Number((await range.textContent())!.split(' of ')[1].replace(/,/g, ''));
    expect(await bodyRows(trades).count()).toBe(Math.min(total, TRADES_PAGE_SIZE));

    if (total > TRADES_PAGE_SIZE) {
      const firstKey = await bodyRows(trades).first().getAttribute('data-row-key');
      await page.getByTestId('trades-pager').getByRole('button', { name: /Next/ }).click();
      await expect(range.textContent()).resolves.toBe(`${TRADES_PAGE_SIZE + 1}–${Math.min(total, 2 * TRADES_PAGE_SIZE)} of ${total}`);
      await page.waitForFunction(
        (key) => document.querySelector('[data-testid=trade-table] tbody tr[data-row-key]')?.getAttribute('data-row-key') !== key,
        firstKey,
      );
    }

    // Global, not a sorted page: the rows shown (from the second page on) become the first page of
    // every trade sorted, e.g. descending starts with the highest return of all trades.
    const all: ResultResponse = await (await fetch(`${baseUrl}/api/backtests/${taskId}/result?trades_limit=10000&max_points=2`)).json();
    expect(all.trades.total).toBe(total);
    const shownKeys = () => rowKeys(trades);
    const returnHeading = trades.locator('th[data-column=return_pct]');
    for (const descending of [false, true]) {
      const expected = firstSortedPage(all.trades.rows, descending);
      await returnHeading.click();
      expect(await returnHeading.getAttribute('aria-sort')).toBe(descending ? 'descending' : 'ascending');
      await waitForRowKeys(page, 'trade-table', expected);
      expect(await shownKeys()).toEqual(expected);
      await expect(range.textContent()).resolves.toBe(`1–${Math.min(total, TRADES_PAGE_SIZE)} of ${total}`);
    }
    const highest = Math.max(...all.trades.rows.map((trade) => trade.return_pct));
    expect((await shownKeys())[0]).toBe(tradeKey(all.trades.rows.find((trade) => trade.return_pct === highest)!));
  });

  it('returns to the open task after a reload, lists it in the history and pins it', async () => {
    await page.reload();
    await bodyRows(page.getByTestId('summary-table')).first().waitFor();
    const historyRow = page.locator(`[data-testid=history-table] tr[data-row-key="${taskId}"]`);
    await expect(historyRow.textContent()).resolves.toContain('completed');
    await historyRow.getByTestId('pin-toggle').click();
    await historyRow.getByTestId('pin-toggle').getByText('Unpin').waitFor();
    expect((await harness.repository.get(taskId))?.metadata.pinned).toBe(true);
  });

  it('sends localStorage.apiToken as a bearer token with every API request', async () => {
    await page.evaluate(() => localStorage.setItem('apiToken', 'e2e-token'));
    const strategiesRequest = page.waitForRequest((request) => request.url().endsWith('/api/strategies'));
    await page.reload();
    expect((await strategiesRequest).headers().authorization).toBe('Bearer e2e-token');
    await page.evaluate(() => localStorage.removeItem('apiToken'));
    await page.reload();
  });

  it('deletes the task from the history after confirmation and closes its view', async () => {
    const historyRow = page.locator(`[data-testid=history-table] tr[data-row-key="${taskId}"]`);
    page.once('dialog', (dialog) => dialog.accept());
    await historyRow.getByTestId('delete-task').click();
    await historyRow.waitFor({ state: 'detached' });
    expect(page.url()).not.toContain(taskId);
    expect(await page.getByTestId('task-view').count()).toBe(0);
    expect(await harness.repository.get(taskId)).toBeUndefined();
  });

  it('ran without script errors in the page', () => {
    expect(stack.scriptErrors).toEqual([]);
  });
});
