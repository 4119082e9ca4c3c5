import { allocateSweepRows, bestRow, defaultDirection, rankOrder, ranksInto, type SweepRows } from '../../../../src/engine/sweep';

/** Rows of [combo id, sharpe (null = NaN), max_drawdown, closed trades]. */
function rowsOf(values: [number, number | null, number, number][]): SweepRows {
  const rows = allocateSweepRows(values.length);
  values.forEach(([comboId, sharpe, maxDrawdown, closedTrades], row) => {
    rows.comboId[row] = comboId;
    rows.metrics.sharpe[row] = sharpe ?? NaN;
    rows.metrics.max_drawdown[row] = maxDrawdown;
    rows.metrics.winning_signals[row] = Math.ceil(closedTrades / 2);
    rows.metrics.losing_signals[row] = Math.floor(closedTrades / 2);
  });
  return rows;
}

const rows = rowsOf([
  [10, 1.5, 20, 12],
  [11, 2.5, 35, 3],
  [12, null, 5, 40],
  [13, 1.5, 20, 12],
  [7, 1.5, 10, 12],
  [14, 3.0, 50, 0],
  [15, -0.5, 8, 25],
]);

describe('ranking sweep rows', () => {
  it('ranks by the objective, rows short of min_trades last, a null after every value, ties by lower combo id', () => {
    // sharpe max, min_trades 10: ranked 1.5 (ids 7, 10, 13), -0.5, null; then short of trades: 3.0 (0 trades), 2.5 (3)
    expect(Array.from(rankOrder(rows, 0, 7, { metric: 'sharpe', min_trades: 10 }))).toEqual([4, 0, 3, 6, 2, 5, 1]);
    expect(Array.from(ranksInto(rankOrder(rows, 0, 7, { metric: 'sharpe', min_trades: 10 }), 0, new Int32Array(7)))).toEqual([
      2, 7, 5, 3, 1, 6, 4,
    ]);
  });

  it('uses min_trades 1 by default and the metric direction DESIGN.md gives (min for max_drawdown)', () => {
    expect(defaultDirection('max_drawdown')).toBe('min');
    expect(defaultDirection('total_pnl_pct')).toBe('max');
    // max_drawdown ascending; combo 14 has no closed trade: last
    expect(Array.from(rankOrder(rows, 0, 7, { metric: 'max_drawdown' }))).toEqual([2, 6, 4, 0, 3, 1, 5]);
    expect(Array.from(rankOrder(rows, 0, 7, { metric: 'max_drawdown', direction: 'max', min_trades: 0 }))).toEqual([5, 1, 0, 3, 4, 6, 2]);
  });

  it('ranks a range of rows (one symbol or fold of a larger table), ranks counted within it', () => {
    const order = rankOrder(rows, 2, 5, { metric: 'sharpe' });
    expect(Array.from(order)).toEqual([4, 3, 2]);
    expect(Array.from(ranksInto(order, 2, new Int32Array(3)))).toEqual([3, 2, 1]);
  });

  it('finds the best row in one pass, as the first of the order', () => {
    for (const objective of [
      { metric: 'sharpe' as const, min_trades: 10 },
      { metric: 'max_drawdown' as const },
      { metric: 'sharpe' as const, direction: 'min' as const },
    ]) {
      expect(bestRow(rows, 0, 7, objective)).toBe(rankOrder(rows, 0, 7, objective)[0]);
    }
    expect(bestRow(rows, 3, 3, { metric: 'sharpe' })).toBe(-1);
  });

  it('refuses a range outside the rows', () => {
    expect(() => rankOrder(rows, 0, 8, { metric: 'sharpe' })).toThrow('rows: got [0, 8), expected a range within [0, 7]');
  });
});
