/**
 * The sweep pages in headless Chromium at 1280x800 against the real stack: a sweep built in the form (each
 * parameter fixed or swept, the combinations counted live, a refused value shown beside its field), followed
 * to completion, its results sorted on the server, its heatmap over other axes, a row run as a backtest, a
 * walk-forward sweep's view, the sweep history, and two backtests compared. A screenshot of each view.
 */
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { SweepResults } from '../../src/contracts/api';
import { waitFor, type Harness } from '../integration/harness';
import {
  bodyRows,
  cellNumber,
  columnNumbers,
  hasDrawnCanvas,
  openPageOnStack,
  rowKeys,
  SCREENSHOTS,
  waitForRowKeys,
  type PageOnStack,
} from './browser';

const SYMBOLS = ['BTC_KRW', 'ETH_KRW'];
const RESULTS_PAGE_SIZE = 25;
const DEADLINE_MS = 180_000;
const UUID = /[0-9a-f-]{36}/;

jest.setTimeout(DEADLINE_MS + 60_000);

/** The grid typed into the form: 3 x 5 x 5 x 4 = 300 combinations, a few seconds on 2 symbols x 2 years of hours. */
const GRID = {
  volume_window: { mode: 'list', list: '20, 40, 60' },
  top_percentile: { mode: 'range', from: '0.1', to: '0.3', step: '0.05' },
  breakout_buffer: { mode: 'range', from: '0', to: '0.02', step: '0.005' },
  hold_period_bars: { mode: 'list', list: '1, 3, 6, 12' },
} as const;
const COMBINATIONS = 3 * 5 * 5 * 4;
const FIXED_FEE_RATE = '0.001';

describe('the sweep pages', () => {
  let stack: PageOnStack;
  let harness: Harness;
  let page: Page;
  let baseUrl: string;
  let sweepId: string;
  let walkForwardSweepId: string;
  const taskIds: string[] = [];

  const api = async <T = any>(path: string, init?: RequestInit): Promise<T> => {
    const response = await fetch(`${baseUrl}${path}`, { headers: { 'content-type': 'application/json' }, ...init });
    return response.json() as Promise<T>;
  };
  const form = () => page.getByTestId('sweep-form');

  async function sweepParameter(name: string, spec: (typeof GRID)[keyof typeof GRID]) {
    await form().getByTestId(`sweep-mode-${name}`).selectOption(spec.mode);
    if (spec.mode === 'list') {
      await form().locator(`#sweep-param-${name}`).fill(spec.list);
    } else {
      await form().locator(`#sweep-param-${name}`).fill(spec.from);
      await form().locator(`#sweep-param-${name}-to`).fill(spec.to);
      await form().locator(`#sweep-param-${name}-step`).fill(spec.step);
    }
  }

  const sweepSize = async () => {
    const size = form().getByTestId('sweep-size');
    return {
      combinations: Number(await size.getAttribute('data-combinations')),
      evaluations: Number(await size.getAttribute('data-evaluations')),
    };
  };

  async function waitForSweep(expectedStatus: string) {
    await page.locator(`[data-testid=sweep-status][data-status=${expectedStatus}]`).waitFor({ timeout: DEADLINE_MS });
  }

  beforeAll(async () => {
    stack = await openPageOnStack({ width: 1280, height: 800 });
    ({ harness, page, baseUrl } = stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('builds the sweep form: each parameter fixed or swept, the combinations counted as they are typed', async () => {
    await page.getByTestId('nav-sweeps').click();
    await form().waitFor();
    await form().locator('#sweep-strategy').selectOption('volume_zone_breakout');
    for (const checkbox of await form().locator('[data-testid=symbol-picker] input[type=checkbox]').all()) {
      await checkbox.setChecked(SYMBOLS.includes(await checkbox.inputValue()));
    }
    await form().locator('#sweep-timeframe').selectOption('1h');
    await form().locator('#sweep-param-fee_rate').fill(FIXED_FEE_RATE);
    expect(await form().getByTestId('sweep-size').count()).toBe(0); // nothing swept yet

    await sweepParameter('volume_window', GRID.volume_window);
    expect(await sweepSize()).toEqual({ combinations: 3, evaluations: 6 });
    for (const [name, spec] of Object.entries(GRID)) await sweepParameter(name, spec);
    expect(await form().getByTestId('value-count-top_percentile').textContent()).toBe('5 values');
    expect(await sweepSize()).toEqual({ combinations: COMBINATIONS, evaluations: COMBINATIONS * SYMBOLS.length });

    await form().getByTestId('walk-forward-toggle').check();
    await form().locator('#walk_forward-folds').fill('4');
    expect(await sweepSize()).toEqual({ combinations: COMBINATIONS, evaluations: COMBINATIONS * SYMBOLS.length * 4 });
    await form().getByTestId('walk-forward-toggle').uncheck();
    await form().locator('#objective-metric').selectOption('total_pnl_pct');
    await form().locator('#objective-min_trades').fill('3');
  });

  it("shows the API's 422 details beside the fields they name", async () => {
    await form().locator('#sweep-param-volume_window').fill('20, 40, 1');
    await form().getByTestId('submit-sweep').click();
    await expect(form().getByTestId('field-error-grid.volume_window').textContent()).resolves.toMatch(/grid\.volume_window\.2: 1:/);
    await expect(form().getByTestId('form-error').textContent()).resolves.toMatch(/volume_window/);
    await page.screenshot({ path: join(SCREENSHOTS, 'sweep-form.png') }); // what a 1280x800 window shows
    await form().locator('#sweep-param-volume_window').fill(GRID.volume_window.list);

    await form().locator('input[name=search][value=random]').check();
    await form().locator('#search-samples').fill('400');
    expect(await sweepSize()).toEqual({ combinations: 400, evaluations: 400 * SYMBOLS.length });
    await form().getByTestId('submit-sweep').click();
    await expect(form().getByTestId('field-error-search.samples').textContent()).resolves.toMatch(/only 300 combinations/);
    await form().locator('input[name=search][value=grid]').check();
  });

  it('submits the sweep and follows its progress, ETA and best so far to completion', async () => {
    await form().getByTestId('submit-sweep').click();
    await page.waitForURL(/#\/sweeps\/[0-9a-f-]{36}$/);
    sweepId = page.url().split('/').at(-1)!;
    await page.getByTestId('sweep-progress').waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=sweep-evaluated]')?.getAttribute('data-evaluated')) > 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'sweep-progress.png'), animations: 'disabled' }); // bars at their width, not mid-transition
    const rows = page.getByTestId('sweep-symbol-progress');
    expect(await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-symbol')))).toEqual(SYMBOLS);

    await waitForSweep('completed');
    const evaluated = page.getByTestId('sweep-evaluated');
    expect(Number(await evaluated.getAttribute('data-evaluated'))).toBe(COMBINATIONS * SYMBOLS.length);
    expect(await page.getByTestId('sweep-eta').count()).toBe(0);
    const status = await api(`/api/sweeps/${sweepId}`);
    expect(status).toMatchObject({ status: 'completed', combinations: COMBINATIONS, params: { fee_rate: Number(FIXED_FEE_RATE) } });
    expect(await page.getByTestId('sweep-best').textContent()).toContain(`volume_window ${status.best.params.volume_window}`);
    for (const text of await rows.allTextContents()) expect(text).toContain(`${COMBINATIONS} / ${COMBINATIONS}`);
  });

  it('sorts the results on the server, per combination and per symbol, with a minimum of trades', async () => {
    const table = page.getByTestId('sweep-results-table');
    await bodyRows(table).first().waitFor();
    const range = page.getByTestId('results-pager-range');
    await expect(range.textContent()).resolves.toBe(`1–${RESULTS_PAGE_SIZE} of ${COMBINATIONS}`);
    expect(await columnNumbers(table, 'rank')).toEqual(Array.from({ length: RESULTS_PAGE_SIZE }, (_, index) => index + 1));

    // per combination, by mean objective both ways: the first page of all combinations sorted
    const heading = table.locator('th[data-column=objective_mean]');
    for (const order of ['asc', 'desc'] as const) {
      const expected = await api<SweepResults>(
        `/api/sweeps/${sweepId}/results?symbol=all&sort=objective_mean&order=${order}&limit=${RESULTS_PAGE_SIZE}`,
      );
      await heading.click();
      expect(await heading.getAttribute('aria-sort')).toBe(order === 'asc' ? 'ascending' : 'descending');
      await waitForRowKeys(
        page,
        'sweep-results-table',
        expected.rows.map((row) => String(row.combo_id)),
      );
    }
    const means = await columnNumbers(table, 'objective_mean');
    expect(means).toEqual([...means].sort((a, b) => b - a));

    // one symbol's rows with at least 10 trades, by return
    await page.getByTestId('results-symbol').selectOption('ETH_KRW');
    await page.getByTestId('results-min-trades').fill('10');
    await table.locator('th[data-column=total_pnl_pct]').click();
    const expected = await api<SweepResults>(
      `/api/sweeps/${sweepId}/results?symbol=ETH_KRW&min_trades=10&sort=total_pnl_pct&order=asc&limit=${RESULTS_PAGE_SIZE}`,
    );
    await waitForRowKeys(
      page,
      'sweep-results-table',
      expected.rows.map((row) => `ETH_KRW::${row.combo_id}`),
    );
    await expect(range.textContent()).resolves.toMatch(new RegExp(` of ${expected.total}$`));
    const trades = (await rowKeys(table)).length > 0 ? await columnNumbers(table, 'total_signals') : [];
    expect(trades.every((count) => count >= 10)).toBe(true);
    await page.getByTestId('results-min-trades').fill('');
    await page.getByTestId('results-symbol').selectOption('all');
  });

  it('draws a heatmap of two swept parameters and switches its axes', async () => {
    const chart = page.getByTestId('heatmap-chart');
    await chart.locator('canvas').first().waitFor();
    expect(await hasDrawnCanvas(chart)).toBe(true);
    const axes = async () => ({
      x: await chart.getAttribute('data-x'),
      y: await chart.getAttribute('data-y'),
      columns: Number(await chart.getAttribute('data-columns')),
      rows: Number(await chart.getAttribute('data-rows')),
    });
    // the swept parameters in the API's (alphabetical) order: the first two are the default axes
    expect(await axes()).toEqual({ x: 'breakout_buffer', y: 'hold_period_bars', columns: 5, rows: 4 });

    await page.getByTestId('heatmap-y').selectOption('top_percentile');
    await page.waitForFunction(() => document.querySelector('[data-testid=heatmap-chart]')?.getAttribute('data-y') === 'top_percentile');
    expect(await axes()).toEqual({ x: 'breakout_buffer', y: 'top_percentile', columns: 5, rows: 5 });
    // choosing for x the parameter on y swaps them
    await page.getByTestId('heatmap-x').selectOption('top_percentile');
    await page.waitForFunction(() => document.querySelector('[data-testid=heatmap-chart]')?.getAttribute('data-x') === 'top_percentile');
    expect(await axes()).toEqual({ x: 'top_percentile', y: 'breakout_buffer', columns: 5, rows: 5 });
    await page.getByTestId('heatmap-y').selectOption('volume_window');
    await page.getByTestId('heatmap-metric').selectOption('sharpe');
    await page.getByTestId('heatmap-reduce').selectOption('mean');
    await page.waitForFunction(() => document.querySelector('[data-testid=heatmap-chart]')?.getAttribute('data-metric') === 'sharpe');
    expect(await axes()).toEqual({ x: 'top_percentile', y: 'volume_window', columns: 5, rows: 3 });
    expect(await hasDrawnCanvas(chart)).toBe(true);

    // the README's picture (docs/images/sweep-heatmap.png): the objective, best over the other parameters, on two telling axes
    await page.getByTestId('heatmap-x').selectOption('breakout_buffer');
    await page.getByTestId('heatmap-y').selectOption('hold_period_bars');
    await page.getByTestId('heatmap-metric').selectOption('total_pnl_pct');
    await page.getByTestId('heatmap-reduce').selectOption('max');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=heatmap-chart]')?.getAttribute('data-metric') === 'total_pnl_pct',
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'sweep-results.png'), fullPage: true });
    await page.getByTestId('sweep-heatmap').screenshot({ path: join(SCREENSHOTS, 'sweep-heatmap.png') }); // docs/images/ keeps a copy
  });

  it('runs a result row as an ordinary backtest and opens it in the task view', async () => {
    const table = page.getByTestId('sweep-results-table');
    const first = bodyRows(table).first();
    const comboId = Number(await first.getAttribute('data-row-key'));
    const [row] = (await api<SweepResults>(`/api/sweeps/${sweepId}/results?symbol=all&sort=combo_id&offset=${comboId}&limit=1`)).rows;
    await first.getByTestId('run-as-backtest').click();
    await page.waitForURL(/#\/tasks\/[0-9a-f-]{36}$/);
    const taskId = page.url().split('/').at(-1)!;
    taskIds.push(taskId);
    await page.locator('[data-testid=task-status][data-status=completed]').waitFor({ timeout: DEADLINE_MS });
    const result = await api(`/api/backtests/${taskId}/result?trades_limit=1&max_points=2`);
    expect(result.manifest.symbols).toEqual(SYMBOLS);
    expect(result.manifest.params).toMatchObject({
      fee_rate: Number(FIXED_FEE_RATE),
      volume_window: row.volume_window,
      top_percentile: row.top_percentile,
      breakout_buffer: row.breakout_buffer,
      hold_period_bars: row.hold_period_bars,
    });
  });

  it("opens a walk-forward sweep's view: folds, efficiency, stitched metrics and the out-of-sample curve", async () => {
    await page.getByTestId('nav-sweeps').click();
    await form().waitFor();
    await form().locator('#sweep-timeframe').selectOption('1d');
    for (const name of ['top_percentile', 'hold_period_bars']) await form().getByTestId(`sweep-mode-${name}`).selectOption('fixed');
    await form().locator('#sweep-param-volume_window').fill('10, 20');
    await form().getByTestId('walk-forward-toggle').check();
    await form().locator('#walk_forward-folds').fill('3');
    await form().locator('#materialize_top').fill('1');
    expect(await sweepSize()).toEqual({ combinations: 10, evaluations: 10 * SYMBOLS.length * 3 });
    await form().locator('#materialize_top').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'sweep-form-walk-forward.png') });
    await form().getByTestId('submit-sweep').click();
    await page.waitForURL((url) => UUID.test(url.hash) && !url.hash.includes(sweepId));
    walkForwardSweepId = page.url().split('/').at(-1)!;
    await waitForSweep('completed');

    const view = page.getByTestId('walk-forward');
    const folds = view.getByTestId('walk-forward-folds');
    await bodyRows(folds).first().waitFor();
    expect(await bodyRows(folds).count()).toBe(3 * SYMBOLS.length);
    expect(await columnNumbers(folds, 'fold')).toEqual(expect.arrayContaining([0, 1, 2]));
    const walkForward = await api(`/api/sweeps/${walkForwardSweepId}/walk-forward?max_points=2`);
    const efficiency = await view.getByTestId('walk-forward-efficiency').locator('b').textContent();
    expect(cellNumber(efficiency)).toBeCloseTo(walkForward.efficiency, 2);
    expect(await bodyRows(view.getByTestId('walk-forward-stitched')).count()).toBe(SYMBOLS.length);
    expect(await hasDrawnCanvas(view.getByTestId('equity-chart'))).toBe(true);
    // the best combination, run afterwards as an ordinary backtest, opens from the sweep
    await page.getByTestId('materialized-tasks').locator('a').first().waitFor({ timeout: DEADLINE_MS });
    expect(await page.getByTestId('materialized-tasks').locator('a').count()).toBe(1);
    await view.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'sweep-walk-forward.png'), fullPage: true });
  });

  it('lists both sweeps in the history with their best combination, pins one and reopens the other', async () => {
    const history = page.getByTestId('sweep-history-table');
    const row = (id: string) => history.locator(`tr[data-row-key="${id}"]`);
    await expect(row(sweepId).textContent()).resolves.toContain('completed');
    await expect(row(walkForwardSweepId).textContent()).resolves.toContain('completed');
    await row(sweepId).getByTestId('pin-toggle').click();
    await row(sweepId).getByTestId('pin-toggle').getByText('Unpin').waitFor();
    expect((await harness.sweeps.get(sweepId))?.pinned).toBe(true);
    await row(sweepId).click();
    await page.waitForURL(new RegExp(`#/sweeps/${sweepId}$`));
    await page.getByTestId('sweep-results-table').waitFor();
  });

  it('cancels a running sweep from its view', async () => {
    const submitted = await api('/api/sweeps', {
      method: 'POST',
      body: JSON.stringify({
        strategy: 'volume_zone_breakout',
        symbols: ['XRP_KRW'],
        start_date: '2021-01-01',
        end_date: '2024-12-31',
        timeframe: '1h',
        grid: { volume_window: { from: 20, to: 200, step: 2 }, top_percentile: { from: 0.05, to: 0.5, step: 0.05 } },
        objective: { metric: 'sharpe' },
      }),
    });
    await page.getByTestId('sweep-history').getByRole('button', { name: 'Refresh' }).click();
    await page.locator(`[data-testid=sweep-history-table] tr[data-row-key="${submitted.sweep_id}"]`).click();
    await page.locator('[data-testid=sweep-status][data-status=running]').waitFor({ timeout: DEADLINE_MS });
    await page.getByTestId('cancel-sweep').click();
    await waitForSweep('cancelled');
    expect(await page.getByTestId('cancel-sweep').count()).toBe(0);
    expect(await page.getByTestId('sweep-results').count()).toBe(0);
  });

  it('compares two backtests ticked in the history: requests, metrics side by side, equity curves overlaid', async () => {
    const other = await api('/api/backtests', {
      method: 'POST',
      body: JSON.stringify({
        strategy: 'volume_zone_breakout',
        symbols: SYMBOLS,
        start_date: '2023-01-01',
        end_date: '2024-12-31',
        timeframe: '1h',
      }),
    });
    taskIds.push(other.task_id);
    await waitFor(
      () => api(`/api/backtests/${other.task_id}`),
      (task) => task.status === 'completed',
      DEADLINE_MS,
    );
    await page.getByTestId('nav-backtests').click();
    const history = page.getByTestId('history-table');
    for (const taskId of taskIds) await history.locator(`tr[data-row-key="${taskId}"]`).getByTestId('compare-tick').check();
    await page.getByTestId('compare-ticked').click();
    await page.waitForURL(new RegExp(`#/compare/${taskIds.join(',')}$`));

    const view = page.getByTestId('compare-view');
    const requests = view.getByTestId('compare-requests');
    await bodyRows(requests).first().waitFor();
    const cell = (table: Locator, field: string, taskId: string) =>
      table.locator(`tr[data-row-key="${field}"] td[data-column="${taskId}"]`);
    expect(await cell(requests, 'params.fee_rate', taskIds[0]).textContent()).toBe(FIXED_FEE_RATE);
    expect(await cell(requests, 'params.fee_rate', taskIds[1]).textContent()).toBe('0.0005');
    expect(await cell(requests, 'params.fee_rate', taskIds[1]).locator('.differs').count()).toBe(1);

    const metrics = view.getByTestId('compare-metrics');
    const compared = await api(`/api/backtests/compare?ids=${taskIds.join(',')}&max_points=2`);
    for (const [index, taskId] of taskIds.entries()) {
      const summary = compared.tasks[index].summary.find((row: { symbol: string }) => row.symbol === SYMBOLS[0]);
      expect(cellNumber(await cell(metrics, 'total_signals', taskId).textContent())).toBe(summary.total_signals);
    }
    expect(await view.locator('.chart-legend span').count()).toBe(2);
    expect(await hasDrawnCanvas(view.getByTestId('equity-chart'))).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'compare.png'), fullPage: true });
  });

  it('ran without script errors in the page', () => {
    expect(stack.scriptErrors).toEqual([]);
  });
});
