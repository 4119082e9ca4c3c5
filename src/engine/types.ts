/**
 * The engine's data shapes: columnar, typed arrays only, so hot loops never allocate per bar.
 * Everything in src/engine is pure: no I/O, no Temporal, no clock.
 */

/** OHLCV candles of one symbol, sorted ascending by timestamp with unique timestamps. */
export interface Candles {
  /** Number of bars; every column has at least this length. */
  length: number;
  /** Bar open time, epoch milliseconds UTC. */
  timestamp: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** Costs and sizing, common to every strategy (DESIGN.md section 5, "Simulation"). */
export interface ExecutionParams {
  initial_capital: number;
  /** Fraction of equity put into each trade, (0, 1]. */
  position_size: number;
  /** Fee per side, as a fraction of the traded notional. */
  fee_rate: number;
  slippage_bps: number;
}

/** Trades of one symbol, column by column; row k is trade number k + 1. */
export interface Trades {
  count: number;
  entryIndex: Int32Array;
  /** Exit bar index, or -1 while the trade is still open at the end of the data. */
  exitIndex: Int32Array;
  entryPrice: Float64Array;
  /** Exit fill price; NaN while open (stored as null). */
  exitPrice: Float64Array;
  quantity: Float64Array;
  /** Net return in %, fees and slippage included; for an open trade, marked to the last close. */
  returnPct: Float64Array;
  holdBars: Int32Array;
  feeAmount: Float64Array;
  slippageAmount: Float64Array;
}

/** Per-bar portfolio curve of one symbol; index t is bar t of the candles. */
export interface EquityCurve {
  length: number;
  equity: Float64Array;
  /** Drawdown from the running peak, in % (>= 0). */
  drawdown: Float64Array;
  cumulativePnl: Float64Array;
  cumulativePnlPct: Float64Array;
}

/**
 * Per-symbol summary. The first eleven metric fields (win_rate .. total_pnl_pct) are the original
 * schema's and always finite; the extra metrics are null where undefined (never NaN or Infinity).
 */
export interface SymbolSummary {
  win_rate: number;
  avg_return: number;
  max_return: number;
  min_return: number;
  max_drawdown: number;
  avg_hold_bars: number;
  total_signals: number;
  winning_signals: number;
  losing_signals: number;
  total_pnl: number;
  total_pnl_pct: number;
  sharpe: number | null;
  sortino: number | null;
  profit_factor: number | null;
  expectancy: number | null;
  exposure_pct: number | null;
  cagr: number | null;
  buy_and_hold_return_pct: number | null;
}

/** Everything the engine produces for one symbol. */
export interface BacktestOutput {
  /** Entry signals per bar (1 = signal), before the one-position rule skips any. */
  signals: Uint8Array;
  trades: Trades;
  curve: EquityCurve;
  summary: SymbolSummary;
}
