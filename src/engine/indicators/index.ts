/**
 * The strategy kit (DESIGN.md section 14): typed-array indicators for strategies and strategy plugins.
 *
 * Every indicator comes as `...Into(inputs, period, out)`, which fills arrays the caller owns and returns a count
 * (values that are not NaN; crosses for the crossovers), and as a thin wrapper that allocates its result.
 * Conventions shared by all:
 * - Bars are the first input's length; other inputs and the outputs must be at least as long, and outputs must not
 *   share memory with inputs. Pass `candles.close.subarray(0, candles.length)` when columns may be longer.
 * - NaN marks bars without a value (the warm-up), so indicators chain: `sma(rsi(close, 14), 5)` starts where the RSI does.
 * - Each file states its convention (EMA seeding, Wilder's smoothing for RSI and ATR, population standard deviation
 *   for Bollinger bands); all match the trading-signals library, against which the tests check them.
 * Arguments are checked once per call ("got X, expected Y"); the loops allocate nothing per bar.
 */
export { atr, atrInto } from './atr';
export { bollinger, bollingerInto, type BollingerBands } from './bollinger';
export {
  crossAbove,
  crossAboveInto,
  crossAboveLevel,
  crossAboveLevelInto,
  crossBelow,
  crossBelowInto,
  crossBelowLevel,
  crossBelowLevelInto,
} from './crossovers';
export { ema, emaInto } from './ema';
export { rollingMax, rollingMaxInto, rollingMin, rollingMinInto } from './rollingExtremes';
export { rsi, rsiInto } from './rsi';
export { sma, smaInto } from './sma';
