import { useMemo, useState } from 'react';
import { api } from '../api';
import { formatTimestamp } from '../format';
import { exitReasonLabel, tradeKey } from '../tradeChart';
import { useAsync } from '../hooks/useAsync';
import type { tradeSortColumns } from '../../../src/contracts/api';
import type { SummaryRow, TradeRow } from '../types';

type TradeSortColumn = (typeof tradeSortColumns)[number];
import { DataTable, type Column, type SortOrder } from './DataTable';
import { EquityCharts } from './EquityCharts';
import { PriceChart } from './PriceChart';
import { Pager } from './Pager';
import { ResultDownloads } from './ResultDownloads';

export const TRADES_PAGE_SIZE = 50;
const CHART_MAX_POINTS = 2000;
/** The trade pages need no curve; the API's smallest downsample keeps those answers small. */
const NO_CURVE_POINTS = 2;

const ALL_SYMBOLS = '';

const tradeColumns: Column<TradeRow>[] = [
  { key: 'symbol' },
  { key: 'signal_index', label: 'signal #', numeric: true },
  { key: 'timestamp', label: 'entry time (UTC)', render: (trade) => formatTimestamp(trade.timestamp) },
  { key: 'type', sortable: false }, // one value per task (buy: long, sell: short): the server does not sort by it
  { key: 'entry_price', numeric: true },
  { key: 'exit_timestamp', label: 'exit time (UTC)', render: (trade) => formatTimestamp(trade.exit_timestamp) },
  { key: 'exit_price', numeric: true },
  { key: 'exit_reason', render: (trade) => exitReasonLabel(trade.exit_reason) },
  { key: 'quantity', numeric: true },
  { key: 'return_pct', label: 'return %', numeric: true },
  { key: 'hold_bars', numeric: true },
  { key: 'fee_amount', label: 'fee', numeric: true },
  { key: 'slippage_amount', label: 'slippage', numeric: true },
  { key: 'status' },
];

/** Short headings so every metric fits on screen (the field name is the heading's tooltip); others humanized. */
export const METRIC_LABELS: Record<string, string> = {
  win_rate: 'win %',
  avg_return: 'avg ret %',
  max_return: 'max ret %',
  min_return: 'min ret %',
  max_drawdown: 'max DD %',
  avg_hold_bars: 'avg hold',
  total_signals: 'signals',
  winning_signals: 'wins',
  losing_signals: 'losses',
  total_pnl: 'PnL',
  total_pnl_pct: 'PnL %',
  profit_factor: 'profit factor',
  exposure_pct: 'exposure %',
  cagr: 'CAGR %',
  buy_and_hold_return_pct: 'B&H %',
};

/** Every metric the API reports, in its order: all fields of a summary row but the symbol. */
export function summaryColumns(rows: SummaryRow[]): Column<SummaryRow>[] {
  const metricNames = rows.length > 0 ? Object.keys(rows[0]).filter((name) => name !== 'symbol') : [];
  return [{ key: 'symbol' }, ...metricNames.map((name) => ({ key: name, label: METRIC_LABELS[name], numeric: true }))];
}

interface TradesSectionProps {
  taskId: string;
  symbol: string;
  selectedTrade: TradeRow | null;
  onSelectTrade: (trade: TradeRow | null) => void;
}

function TradesSection({ taskId, symbol, selectedTrade, onSelectTrade }: TradesSectionProps) {
  const [offset, setOffset] = useState(0);
  // Sorted by the server over all trades: sorting only the page shown would mislead.
  const [sortOrder, setSortOrder] = useState<SortOrder | null>(null);
  const page = useAsync(
    () =>
      api.getBacktestResult({
        params: { id: taskId },
        query: {
          symbol: symbol || undefined,
          trades_offset: offset,
          trades_limit: TRADES_PAGE_SIZE,
          trades_sort: sortOrder?.key as TradeSortColumn | undefined,
          trades_order: sortOrder?.descending ? 'desc' : 'asc',
          max_points: NO_CURVE_POINTS,
        },
      }),
    [taskId, symbol, offset, sortOrder],
  );
  const sortTrades = (order: SortOrder) => {
    setSortOrder(order);
    setOffset(0);
  };
  const trades = page.value?.trades;
  return (
    <section className="result-section">
      <div className="section-heading">
        <h3>Trades</h3>
        <Pager testId="trades-pager" offset={offset} limit={TRADES_PAGE_SIZE} total={trades?.total ?? 0} onOffsetChange={setOffset} />
      </div>
      {page.error && <div className="form-error">{page.error}</div>}
      <DataTable
        testId="trade-table"
        rows={trades?.rows ?? []}
        columns={tradeColumns}
        rowKey={tradeKey}
        selectedRowKey={selectedTrade ? tradeKey(selectedTrade) : null}
        onRowClick={(trade) => onSelectTrade(selectedTrade && tradeKey(selectedTrade) === tradeKey(trade) ? null : trade)}
        sortOrder={sortOrder}
        onSortOrderChange={sortTrades}
        emptyText={page.loading ? 'Loading trades…' : 'No trades.'}
      />
    </section>
  );
}

/** A finished task's result: metrics per symbol, equity and drawdown, trades, files. */
export function ResultView({ taskId }: { taskId: string }) {
  const [symbol, setSymbol] = useState(ALL_SYMBOLS);
  const [selectedTrade, setSelectedTrade] = useState<TradeRow | null>(null);
  const chooseSymbol = (next: string) => {
    setSymbol(next);
    setSelectedTrade(null);
  };
  const overview = useAsync(
    () =>
      api.getBacktestResult({
        params: { id: taskId },
        query: { symbol: symbol || undefined, trades_limit: 1, max_points: CHART_MAX_POINTS },
      }),
    [taskId, symbol],
  );
  const result = overview.value;
  const symbols = useMemo(() => result?.summary.map((row) => row.symbol) ?? [], [result]);
  // the selected trade's symbol, else the chosen symbol, else the task's first
  const chartSymbol: string | undefined = selectedTrade?.symbol ?? (symbol || symbols[0]);
  if (!result) {
    return <div className={overview.error ? 'form-error' : 'hint'}>{overview.error ?? 'Loading result…'}</div>;
  }
  return (
    <div className="result-view" data-testid="result-view">
      <section className="result-section">
        <h3>Summary</h3>
        <DataTable
          testId="summary-table"
          rows={result.summary}
          columns={summaryColumns(result.summary)}
          rowKey={(row) => row.symbol}
          sortable
          selectedRowKey={symbol || null}
          onRowClick={(row) => chooseSymbol(row.symbol === symbol ? ALL_SYMBOLS : row.symbol)}
        />
      </section>

      {chartSymbol && (
        <section className="result-section">
          <h3>Price and trades</h3>
          <PriceChart
            taskId={taskId}
            symbol={chartSymbol}
            timeframe={result.manifest.timeframe}
            params={result.manifest.params}
            selectedTrade={selectedTrade}
            onShowWholeRange={() => setSelectedTrade(null)}
          />
        </section>
      )}

      <section className="result-section">
        <div className="section-heading">
          <h3>Equity and drawdown</h3>
          <label>
            Symbol{' '}
            <select value={symbol} onChange={(event) => chooseSymbol(event.target.value)} data-testid="result-symbol">
              <option value={ALL_SYMBOLS}>All symbols</option>
              {symbols.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        </div>
        <EquityCharts points={result.equity_curve} symbols={symbols} />
      </section>

      <TradesSection key={symbol} taskId={taskId} symbol={symbol} selectedTrade={selectedTrade} onSelectTrade={setSelectedTrade} />
      <ResultDownloads taskId={taskId} files={result.manifest.result_files} />
    </div>
  );
}
