/**
 * The web page in headless Chromium against the real API (Temporal worker, PostgreSQL): a refused
 * submission, a two-symbol daily backtest submitted through the form and followed to completion,
 * its summary, charts and trade table, a reload back to the open task, pinning and deleting it.
 * Needs the built page (`npm run build:web`) and Debian's Chromium (`scripts/install-chromium.sh`).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { ResultResponse } from '../../src/contracts/api';
import { waitFor, type Harness } from '../integration/harness';
import { examplePluginSource, SYNTAX_ERROR_SOURCE, writePluginFolder } from '../fixtures/pluginFiles';
import { exitReasonLabel } from '../../web/src/tradeChart';
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
  let pluginFolder: string;

  beforeAll(async () => {
    // The example plugins and a broken one: the form lists the first like built-ins and the last as unavailable.
    pluginFolder = writePluginFolder(
      {
        'smaCrossover.ts': examplePluginSource('smaCrossover.ts'),
        'rsiMeanReversion.ts': examplePluginSource('rsiMeanReversion.ts'),
        'bollingerBreakout.ts': examplePluginSource('bollingerBreakout.ts'),
        'brokenSyntax.ts': SYNTAX_ERROR_SOURCE,
      },
      process.env.TEST_SCRATCH,
    );
    stack = await openPageOnStack({ width: 1440, height: 1000 }, { env: { STRATEGIES_DIR: pluginFolder } });
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

  it('offers the plugins like the built-ins, and shows why a broken one is unavailable', async () => {
    const form = page.getByTestId('backtest-form');
    const options = await form
      .locator('#strategy option')
      .evaluateAll((elements) =>
        elements.map((element) => [(element as HTMLOptionElement).textContent, (element as HTMLOptionElement).disabled]),
      );
    expect(options).toEqual([
      ['volume_zone_breakout', false],
      ['volume_long_candle', false],
      ['bollinger_breakout (plugin)', false],
      ['rsi_mean_reversion (plugin)', false],
      ['sma_crossover (plugin)', false],
      ['brokenSyntax (unavailable)', true],
    ]);
    await expect(form.getByTestId('plugin-errors').textContent()).resolves.toContain(
      `Plugin brokenSyntax.ts is unavailable: ${pluginFolder}/brokenSyntax.ts:4:23: syntax error`,
    );
    await form.locator('#strategy').selectOption('sma_crossover');
    await expect(form.getByTestId('strategy-description').textContent()).resolves.toMatch(/crosses above .* plugin · version [0-9a-f]{12}/);
    expect(await form.locator('#param-fast_window').inputValue()).toBe('10');
    await form.locator('#strategy').selectOption('volume_zone_breakout');
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

  describe('the price chart of a plugin backtest with stops', () => {
    const params = { fast_window: 12, slow_window: 48, stop_loss_pct: 3, take_profit_pct: 6, trailing_stop_pct: 4 };
    let chartTaskId: string;
    let trades: Trade[];

    beforeAll(async () => {
      const submitted = await fetch(`${baseUrl}/api/backtests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          strategy: 'sma_crossover',
          params,
          symbols: ['BTC_KRW'],
          start_date: '2024-01-01',
          end_date: '2024-03-31',
          timeframe: '1h',
        }),
      });
      chartTaskId = (await submitted.json()).task_id;
      await waitFor(
        async () => (await (await fetch(`${baseUrl}/api/backtests/${chartTaskId}`)).json()).status,
        (status) => status === 'completed',
        BACKTEST_DEADLINE_MS,
      );
      const result: ResultResponse = await (
        await fetch(`${baseUrl}/api/backtests/${chartTaskId}/result?trades_limit=10000&max_points=2`)
      ).json();
      trades = result.trades.rows;
      await page.goto(`${baseUrl}/#/tasks/${chartTaskId}`);
    });

    it("shows the symbol's candles over the whole range with every trade", async () => {
      const chart = page.getByTestId('price-chart');
      await chart.waitFor();
      // 91 days of hourly bars, merged into at most 1500 candles
      await page.waitForFunction(() => document.querySelector('[data-testid=price-chart] .chart-label')?.textContent?.includes('candles'));
      await expect(chart.locator('.chart-label').first().textContent()).resolves.toBe('BTC_KRW 1h · 1,092 candles, 2 bars per candle');
      await page.waitForFunction(() => document.querySelector('[data-testid=candle-chart] canvas') !== null);
      expect(await hasDrawnCanvas(page.getByTestId('candle-chart'))).toBe(true);
      expect(trades.some((trade) => ['stop_loss', 'take_profit', 'trailing_stop'].includes(trade.exit_reason))).toBe(true);
      await page.getByTestId('price-chart').screenshot({ path: join(SCREENSHOTS, 'price-chart.png') });
    });

    it('shows a trade clicked in the table bar by bar, with its entry, stop-loss, take-profit and trailing stop', async () => {
      const table = page.getByTestId('trade-table');
      await bodyRows(table).first().waitFor();
      const onFirstPage = trades.slice(0, TRADES_PAGE_SIZE);
      // the longest trade that a take-profit or the trailing stop ended: its levels are the easiest to see
      const chosen = onFirstPage
        .filter((trade) => ['take_profit', 'trailing_stop'].includes(trade.exit_reason))
        .reduce((longest, trade) => (trade.hold_bars > longest.hold_bars ? trade : longest));
      const row = table.locator(`tbody tr[data-row-key="${tradeKey(chosen)}"]`);
      await expect(row.locator('td[data-column=exit_reason]').textContent()).resolves.toBe(exitReasonLabel(chosen.exit_reason));
      const candlesRequest = page.waitForRequest(
        (request) => request.url().includes(`/api/backtests/${chartTaskId}/candles`) && request.url().includes('from='),
      );
      await row.click();
      expect(await row.getAttribute('class')).toContain('selected');
      await candlesRequest;
      const legend = page.getByTestId('trade-legend');
      await legend.waitFor();
      const text = (await legend.textContent())!;
      expect(text).toContain(`Trade #${chosen.signal_index} (buy)`);
      expect(text).toContain(`(${exitReasonLabel(chosen.exit_reason)})`);
      expect(text).not.toContain('not drawn');
      await expect(page.locator('[data-testid=price-chart] .chart-label').first().textContent()).resolves.toMatch(
        new RegExp(`^BTC_KRW 1h · [\\d,]+ candles · around trade #${chosen.signal_index}$`),
      );
      await page.mouse.move(0, 0); // no crosshair in the screenshot
      await page.waitForTimeout(300); // the chart draws on the next animation frame
      expect(await hasDrawnCanvas(page.getByTestId('candle-chart'))).toBe(true);
      await page.getByTestId('price-chart').screenshot({ path: join(SCREENSHOTS, 'price-chart-trade.png') });
      await page.screenshot({ path: join(SCREENSHOTS, 'result-with-price-chart.png'), fullPage: true });

      await page.getByTestId('show-whole-range').click();
      await expect(page.locator('[data-testid=price-chart] .chart-label').first().textContent()).resolves.toContain('2 bars per candle');
      expect(await page.getByTestId('trade-legend').count()).toBe(0);
    });
  });

  it('ran without script errors in the page', () => {
    expect(stack.scriptErrors).toEqual([]);
  });
});
