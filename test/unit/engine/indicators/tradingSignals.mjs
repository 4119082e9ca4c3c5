/**
 * Runs the trading-signals library (an ES module, which Jest's CommonJS runtime cannot load) on the cases given
 * as JSON on stdin and prints each case's values as JSON: null where the library has no value yet.
 * A case: { indicator, period, multiplier?, input? (one series), high?, low?, close?, a?, b? }.
 */
import { readFileSync } from 'node:fs';
import { ATR, BollingerBands, DonchianChannels, EMA, RSI, SMA, hasCrossedOver, hasCrossedUnder } from 'trading-signals';

/** Feeds the values one at a time and reads the result after each (null until the indicator is stable). */
function run(indicator, inputs, read = (result) => result) {
  return inputs.map((input) => {
    indicator.add(input);
    const result = indicator.getResult();
    return result === null ? null : read(result);
  });
}

const candlesOf = ({ high, low, close }) => close.map((value, i) => ({ open: value, high: high[i], low: low[i], close: value }));

const indicators = {
  sma: ({ period, input }) => run(new SMA(period), input),
  ema: ({ period, input }) => run(new EMA(period), input),
  rsi: ({ period, input }) => run(new RSI(period), input),
  atr: ({ period, ...columns }) => run(new ATR(period), candlesOf(columns)),
  bollinger: ({ period, multiplier, input }) =>
    run(new BollingerBands(period, multiplier), input, ({ lower, middle, upper }) => [lower, middle, upper]),
  rollingMax: ({ period, input }) =>
    run(
      new DonchianChannels(period),
      input.map((value) => ({ high: value, low: value })),
      ({ upper }) => upper,
    ),
  rollingMin: ({ period, input }) =>
    run(
      new DonchianChannels(period),
      input.map((value) => ({ high: value, low: value })),
      ({ lower }) => lower,
    ),
  crossAbove: ({ a, b }) => a.map((value, i) => (i > 0 && hasCrossedOver(a[i - 1], b[i - 1], value, b[i]) ? 1 : 0)),
  crossBelow: ({ a, b }) => a.map((value, i) => (i > 0 && hasCrossedUnder(a[i - 1], b[i - 1], value, b[i]) ? 1 : 0)),
};

const cases = JSON.parse(readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(cases.map((testCase) => indicators[testCase.indicator](testCase))));
