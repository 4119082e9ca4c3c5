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

/** The side a strategy's entries take: a long position gains when the price rises, a short one when it falls. */
export const directions = ['long', 'short'] as const;

export type Direction = (typeof directions)[number];

/**
 * Costs, sizing, direction and exit rules, common to every strategy (DESIGN.md sections 5 and 14).
 * The exit rules and the direction are optional here so that older callers keep compiling: absent means
 * off (and long). Percentages are in percent (5 = 5 %); docs/metrics.md states each rule.
 */
export interface ExecutionParams {
  initial_capital: number;
  /** Fraction of equity put into each trade, (0, 1]. */
  position_size: number;
  /** Fee per side, as a fraction of the traded notional. */
  fee_rate: number;
  slippage_bps: number;
  direction?: Direction;
  /** Exit when the price moves this far against the entry fill, in %. */
  stop_loss_pct?: number | null;
  /** Exit when the price moves this far in favour of the entry fill, in %. */
  take_profit_pct?: number | null;
  /** Exit when the price moves this far against the best price since the entry, in %. */
  trailing_stop_pct?: number | null;
  /** Exit at the close of the bar this many bars after the entry bar. */
  max_hold_bars?: number | null;
}

/**
 * Why a trade ended; `Trades.exitReason` holds the index into this list (the code). `end_of_data` marks
 * a trade still open at the last bar. The order is part of the contract: append, never reorder.
 */
export const exitReasons = ['signal', 'hold', 'stop_loss', 'take_profit', 'trailing_stop', 'max_hold', 'end_of_data'] as const;

export type ExitReason = (typeof exitReasons)[number];

/** The code of each exit reason, `exitReasons[exitReasonCode[name]] === name`. */
export const exitReasonCode = Object.fromEntries(exitReasons.map((name, code) => [name, code])) as {
  readonly [Name in ExitReason]: number;
};

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
  /**
   * Exit reason code per trade, an index into `exitReasons`. The simulator always fills it; a `Trades` built
   * without it predates exit rules: every closed trade there is a `hold` exit and an open one `end_of_data`.
   */
  exitReason?: Uint8Array;
  /** The direction of every trade of the run (entries are `buy` for long, `sell` for short); absent means long. */
  direction?: Direction;
}

/** Trades as the simulator produces them: exit reasons and direction always present. */
export type SimulatedTrades = Trades & Required<Pick<Trades, 'exitReason' | 'direction'>>;

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

/** The metrics of `SymbolSummary`, in its order: the columns of summaries stored column by column (sweeps). */
export const summaryMetrics = [
  'win_rate',
  'avg_return',
  'max_return',
  'min_return',
  'max_drawdown',
  'avg_hold_bars',
  'total_signals',
  'winning_signals',
  'losing_signals',
  'total_pnl',
  'total_pnl_pct',
  'sharpe',
  'sortino',
  'profit_factor',
  'expectancy',
  'exposure_pct',
  'cagr',
  'buy_and_hold_return_pct',
] as const satisfies readonly (keyof SymbolSummary)[];

export type SummaryMetric = (typeof summaryMetrics)[number];

/** The metrics that may be null; in `SummaryColumns` a null is stored as NaN (no other metric is ever NaN). */
export const nullableSummaryMetrics = [
  'sharpe',
  'sortino',
  'profit_factor',
  'expectancy',
  'exposure_pct',
  'cagr',
  'buy_and_hold_return_pct',
] as const satisfies readonly SummaryMetric[];

/**
 * Summaries column by column: row r of every column is one run's summary. A null metric is stored as NaN; the
 * metrics are never NaN otherwise (non-finite values are null in `SymbolSummary`), so NaN reads back as null exactly.
 * The counts (total_signals, winning_signals, losing_signals) are whole numbers stored as doubles.
 */
export type SummaryColumns = { [Metric in SummaryMetric]: Float64Array };

/** Everything the engine produces for one symbol. */
export interface BacktestOutput {
  /** Entry signals per bar (1 = signal), before the one-position rule skips any. */
  signals: Uint8Array;
  /** Exit signals per bar (1 = signal) of a strategy that has `exitsInto`, else null. */
  exitSignals: Uint8Array | null;
  trades: SimulatedTrades;
  curve: EquityCurve;
  summary: SymbolSummary;
}
