import { backtestRequestSchema } from '../../../src/contracts/backtestRequest';

const valid = {
  strategy: 'volume_zone_breakout',
  symbols: ['BTC_KRW', 'eth/krw'],
  start_date: '2023-01-01',
  end_date: '2023-12-31',
  timeframe: '1d',
};

function issues(body: unknown): { field: string; message: string }[] {
  const result = backtestRequestSchema.safeParse(body);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
}

describe('backtestRequestSchema', () => {
  it('normalises symbols and applies every parameter default', () => {
    const request = backtestRequestSchema.parse(valid);
    expect(request.symbols).toEqual(['BTC_KRW', 'ETH_KRW']);
    expect(request.params).toEqual({
      volume_window: 60,
      top_percentile: 0.2,
      breakout_buffer: 0.01,
      hold_period_bars: 1,
      num_bins: 20,
      include_wicks: true,
      initial_capital: 100000,
      position_size: 1,
      fee_rate: 0.0005,
      slippage_bps: 0,
      direction: 'long',
      stop_loss_pct: null,
      take_profit_pct: null,
      trailing_stop_pct: null,
      max_hold_bars: null,
    });
  });

  it('names each bad field: strategy parameter, reversed dates and timeframe', () => {
    const found = issues({ ...valid, params: { volume_window: 0 }, end_date: '2022-01-01', timeframe: '2h' });
    expect(found.map((issue) => issue.field).sort()).toEqual(['end_date', 'params.volume_window', 'timeframe']);
    expect(found.find((issue) => issue.field === 'end_date')!.message).toBe('end_date 2022-01-01 is before start_date 2023-01-01');
    expect(found.find((issue) => issue.field === 'timeframe')!.message).toBe('timeframe must be one of 1m, 5m, 15m, 1h, 4h, 1d; got "2h"');
  });

  it('refuses unknown strategies, unknown parameters and parameters of another strategy', () => {
    expect(issues({ ...valid, strategy: 'magic' })[0].message).toMatch(
      /unknown strategy "magic"; available: volume_zone_breakout, volume_long_candle/,
    );
    expect(issues({ ...valid, params: { vol_ma_window: 5 } })[0]).toMatchObject({ field: 'params' });
    expect(issues({ ...valid, params: { position_size: 1.5 } })[0].field).toBe('params.position_size');
  });

  it('refuses symbols that could escape the data folder', () => {
    for (const symbol of ['../etc', 'BTC KRW', 'BTC/KRW/X', '', 'btc_krw;rm']) {
      expect(issues({ ...valid, symbols: [symbol] }).map((issue) => issue.field)).toContain('symbols.0');
    }
  });

  it('refuses duplicate symbols, no symbols, impossible dates and too long a range', () => {
    expect(issues({ ...valid, symbols: ['BTC_KRW', 'BTC/KRW'] })[0]).toEqual({ field: 'symbols.1', message: 'duplicate symbol BTC_KRW' });
    expect(issues({ ...valid, symbols: [] })[0].field).toBe('symbols');
    expect(issues({ ...valid, start_date: '2023-02-30' })[0]).toEqual({ field: 'start_date', message: 'not a calendar date' });
    expect(issues({ ...valid, timeframe: '1m', start_date: '2000-01-01' })[0].message).toMatch(/range too long for 1m/);
  });

  it('refuses unknown top-level fields', () => {
    expect(issues({ ...valid, symbol: 'BTC_KRW' })[0].message).toMatch(/symbol/);
  });
});
