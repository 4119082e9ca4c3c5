import { CandlestickSeries, createChart, createSeriesMarkers, LineSeries, LineStyle, LineType } from 'lightweight-charts';
import { useEffect, useMemo, useRef } from 'react';
import { api } from '../api';
import { formatNumber, formatTimestamp } from '../format';
import { useAsync } from '../hooks/useAsync';
import { chartTime, exitReasonLabel, tradeKey, tradeLevels, tradeMarkers, tradeWindow } from '../tradeChart';
import type { TradeRow } from '../types';
import { chartOptions } from './EquityCharts';

/** Candles of the whole range: merged beyond this many. */
const RANGE_CANDLES = 1500;
/** Candles around a selected trade: bar by bar up to this many. */
const TRADE_CANDLES = 3000;
/** Trades drawn as markers, at most (the API's page limit). */
const MARKER_TRADES = 10_000;

interface PriceChartProps {
  taskId: string;
  symbol: string;
  timeframe: string;
  /** The task's parameters (manifest.params): the stop rules the levels come from. */
  params: Record<string, unknown>;
  selectedTrade: TradeRow | null;
  onShowWholeRange: () => void;
}

function TradeLegend({ trade, notes }: { trade: TradeRow; notes: string[] }) {
  return (
    <div className="trade-legend" data-testid="trade-legend">
      <strong>
        Trade #{trade.signal_index} ({trade.type})
      </strong>{' '}
      entry {formatNumber(trade.entry_price)} at {formatTimestamp(trade.timestamp)};{' '}
      {trade.exit_timestamp === null
        ? 'still open at the end of the data'
        : `exit ${formatNumber(trade.exit_price)} at ${formatTimestamp(trade.exit_timestamp)} (${exitReasonLabel(trade.exit_reason)})`}
      ; return {formatNumber(trade.return_pct)} %{notes.length > 0 ? `; ${notes.join('; ')}` : ''}
    </div>
  );
}

/**
 * The symbol's candles over the task's range with every trade's entry and exit (exit reason on the marker); with a
 * trade selected, the bars around it one by one, with its entry price, stop-loss and take-profit, and its trailing
 * stop bar by bar.
 */
export function PriceChart({ taskId, symbol, timeframe, params, selectedTrade, onShowWholeRange }: PriceChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const trade = selectedTrade?.symbol === symbol ? selectedTrade : null;
  const selectedKey = trade ? tradeKey(trade) : null;
  const markerTrades = useAsync(
    () =>
      api
        .getBacktestResult({ params: { id: taskId }, query: { symbol, trades_limit: MARKER_TRADES, max_points: 2 } })
        .then((result) => result.trades),
    [taskId, symbol],
  );
  const candles = useAsync(
    () =>
      api.getBacktestCandles({
        params: { id: taskId },
        query: trade ? { symbol, max_points: TRADE_CANDLES, ...tradeWindow(trade, timeframe) } : { symbol, max_points: RANGE_CANDLES },
      }),
    [taskId, symbol, selectedKey],
  );
  const view = candles.value?.symbol === symbol ? candles.value : undefined;
  const levels = useMemo(
    () => (view && trade ? tradeLevels(view.candles, view.bars_per_candle, trade, params) : null),
    [view, trade, params],
  );

  useEffect(() => {
    if (!view) return;
    const chart = createChart(container.current!, { ...chartOptions, localization: { priceFormatter: formatNumber } });
    const series = chart.addSeries(CandlestickSeries, {
      upColor: '#26a69a',
      downColor: '#ef5350',
      borderVisible: false,
      wickUpColor: '#26a69a',
      wickDownColor: '#ef5350',
      priceLineVisible: false,
    });
    series.setData(view.candles.map(({ timestamp, open, high, low, close }) => ({ time: chartTime(timestamp), open, high, low, close })));
    createSeriesMarkers(series, tradeMarkers(view.candles, view.bars_per_candle, timeframe, markerTrades.value?.rows ?? [], selectedKey));
    for (const line of levels?.lines ?? []) {
      chart
        .addSeries(LineSeries, {
          color: line.color,
          lineWidth: 2,
          lineStyle: line.name === 'entry' ? LineStyle.Dotted : LineStyle.Dashed,
          lineType: line.name === 'trailing stop' ? LineType.WithSteps : LineType.Simple,
          title: line.name,
          priceLineVisible: false,
          lastValueVisible: true,
          crosshairMarkerVisible: false,
        })
        .setData(line.points);
    }
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [view, markerTrades.value, levels, selectedKey, timeframe]);

  const merged = view && view.bars_per_candle > 1 ? `, ${view.bars_per_candle} bars per candle` : '';
  const shownTrades = markerTrades.value;
  return (
    <div className="price-chart" data-testid="price-chart">
      <div className="section-heading">
        <div className="chart-label">
          {symbol} {timeframe}
          {view ? ` · ${formatNumber(view.candles.length)} candles${merged}` : ''}
          {trade ? ` · around trade #${trade.signal_index}` : ''}
        </div>
        {trade && (
          <button type="button" onClick={onShowWholeRange} data-testid="show-whole-range">
            Show the whole range
          </button>
        )}
      </div>
      {candles.error && <div className="form-error">{candles.error}</div>}
      {view?.data_changed && (
        <div className="form-error">The market data of {symbol} changed since this task ran: these candles are not the ones it read.</div>
      )}
      {shownTrades && shownTrades.total > shownTrades.rows.length && (
        <div className="hint">
          Markers for the first {formatNumber(shownTrades.rows.length)} of {formatNumber(shownTrades.total)} trades.
        </div>
      )}
      <div ref={container} className="chart candle-chart" data-testid="candle-chart" />
      {trade && levels ? (
        <TradeLegend trade={trade} notes={levels.notes} />
      ) : (
        <div className="hint">Click a trade in the table below to see it up close with its stop-loss and take-profit levels.</div>
      )}
    </div>
  );
}
