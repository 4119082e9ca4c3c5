import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BUILTIN_STRATEGY_VERSION,
  getStrategy,
  isStrategyId,
  strategyIds,
  strategyRegistry,
  useStrategyRegistry,
} from '../../src/engine/strategies';
import { loadStrategies, loadStrategyRegistry, sourceVersion } from '../../src/strategyPlugins';
import {
  INVALID_EXPORT_SOURCE,
  KIT_PATH,
  MISSING_IMPORT_SOURCE,
  periodicPluginSource,
  SYNTAX_ERROR_SOURCE,
  THROWS_ON_LOAD_SOURCE,
  writePluginFolder,
} from '../fixtures/pluginFiles';

const kitImport = `import { defineStrategy, holdPeriodBarsSchema, z } from '${KIT_PATH}';`;

/** A plugin body with the given fields after the kit import (id, description, schema and signals by default). */
function pluginWith(fields: string): string {
  return `${kitImport}
export default defineStrategy({
  description: 'A test plugin.',
  paramsSchema: z.object({ hold_period_bars: holdPeriodBarsSchema }),
  signalsInto: (_candles, _params, _out) => 0,
  ${fields}
});
`;
}

describe('loading strategy plugins', () => {
  const builtins = strategyRegistry();
  afterEach(() => useStrategyRegistry(builtins));

  it('adds a valid plugin to the built-ins with the sha256 of its source as version', async () => {
    const folder = writePluginFolder({ 'everyTenth.ts': periodicPluginSource('every_tenth') });
    const registry = await loadStrategyRegistry({ directory: folder });
    expect(registry.ids()).toEqual(['volume_zone_breakout', 'volume_long_candle', 'every_tenth']);
    const entry = registry.get('every_tenth')!;
    expect(entry).toMatchObject({ source: 'plugin', file: 'everyTenth.ts' });
    expect(entry.version).toBe(sourceVersion(readFileSync(join(folder, 'everyTenth.ts'))));
    expect(entry.version).toMatch(/^[0-9a-f]{12}$/);
    expect(registry.get('volume_long_candle')).toMatchObject({ source: 'builtin', version: BUILTIN_STRATEGY_VERSION });
    const out = new Uint8Array(25);
    const candles = { length: 25 } as Parameters<typeof entry.strategy.signalsInto>[0];
    expect(entry.strategy.signalsInto(candles, { every: 10, hold_period_bars: 1 }, out)).toBe(3);
  });

  it('lists every broken plugin as unavailable with file, line and column, and loads the rest', async () => {
    const folder = writePluginFolder({
      'good.ts': periodicPluginSource('good_plugin'),
      'syntax.ts': SYNTAX_ERROR_SOURCE,
      'invalid.ts': INVALID_EXPORT_SOURCE,
      'throws.ts': THROWS_ON_LOAD_SOURCE,
      'missing.ts': MISSING_IMPORT_SOURCE,
      'notes.md': '# not a plugin',
      'types.d.ts': 'export type Nothing = never;',
    });
    const registry = await loadStrategyRegistry({ directory: folder });
    expect(registry.ids()).toEqual(['volume_zone_breakout', 'volume_long_candle', 'good_plugin']);
    const errors = Object.fromEntries(registry.unavailable().map((entry) => [entry.file, entry.error]));
    expect(Object.keys(errors).sort()).toEqual(['invalid.ts', 'missing.ts', 'syntax.ts', 'throws.ts']);
    expect(errors['syntax.ts']).toBe(`${join(folder, 'syntax.ts')}:4:23: syntax error: Expected identifier but found ","`);
    expect(errors['invalid.ts']).toMatch(new RegExp(`^${join(folder, 'invalid.ts')}:4:1: invalid strategy: `));
    expect(errors['invalid.ts']).toContain('paramsSchema must include hold_period_bars');
    expect(errors['invalid.ts']).toContain('every parameter needs a default (.default(...)); without one: window');
    expect(errors['throws.ts']).toMatch(new RegExp(`^${join(folder, 'throws.ts')}:3:\\d+: failed to load: this plugin refuses to load$`));
    expect(errors['missing.ts']).toMatch(
      new RegExp(`^${join(folder, 'missing.ts')}:1:\\d+: failed to load: Cannot find module 'no-such-package-anywhere'`),
    );
    const invalid = registry.unavailable('invalid_export');
    expect(invalid).toEqual([
      expect.objectContaining({ source: 'plugin', file: 'invalid.ts', version: sourceVersion(INVALID_EXPORT_SOURCE) }),
    ]);
    // a plugin whose id could not be read is listed under its file name
    expect(registry.unavailable('syntax')).toHaveLength(1);
  });

  it('refuses an id taken by a built-in or by a plugin loaded before it, pointing at the id', async () => {
    const folder = writePluginFolder({
      'a.ts': periodicPluginSource('shared_id'),
      'b.ts': periodicPluginSource('shared_id', 5),
      'c.ts': periodicPluginSource('volume_zone_breakout'),
    });
    const registry = await loadStrategyRegistry({ directory: folder });
    expect(registry.get('shared_id')?.file).toBe('a.ts');
    expect(registry.get('volume_zone_breakout')?.source).toBe('builtin');
    const errors = Object.fromEntries(registry.unavailable().map((entry) => [entry.file, entry.error]));
    expect(errors['b.ts']).toBe(
      `${join(folder, 'b.ts')}:4:7: strategy id "shared_id" is already taken by the plugin a.ts: choose another id`,
    );
    expect(errors['c.ts']).toMatch(/c\.ts:4:7: strategy id "volume_zone_breakout" is already taken by a built-in strategy/);
  });

  it.each([
    ['a bad id', `id: 'Has Spaces',`, /id: got "Has Spaces", expected lower-case letters/],
    [
      'a parameter named like an execution parameter',
      `id: 'clash', paramsSchema: z.object({ fee_rate: z.number().default(0), hold_period_bars: holdPeriodBarsSchema }),`,
      /parameter names fee_rate are execution parameters/,
    ],
    [
      'signals that throw',
      `id: 'thrower', signalsInto: () => { throw new Error('no candles for me'); },`,
      /signalsInto threw on a 256-bar test series with the default parameters: no candles for me/,
    ],
    [
      'a wrong signal count',
      `id: 'miscount', signalsInto: (_c, _p, out) => { out[3] = 1; return 2; },`,
      /signalsInto returned 2 but wrote 1 signals/,
    ],
    ['an exitsInto that is no function', `id: 'exits', exitsInto: 5,`, /exitsInto: expected a function or nothing/],
    ['a negative warm-up', `id: 'warmup', warmupBars: () => -1,`, /warmupBars gave -1 for the default parameters/],
  ])('refuses a plugin with %s', async (_name, fields, message) => {
    const registry = await loadStrategyRegistry({ directory: writePluginFolder({ 'plugin.ts': pluginWith(fields) }) });
    expect(registry.ids()).toHaveLength(2);
    expect(registry.unavailable()[0].error).toMatch(message);
  });

  it('has the built-ins only when the folder does not exist', async () => {
    const registry = await loadStrategyRegistry({ directory: join(writePluginFolder({}), 'missing') });
    expect(registry.list().map((listing) => (listing.available ? listing.strategy.id : listing.id))).toEqual([
      'volume_zone_breakout',
      'volume_long_candle',
    ]);
  });

  it('makes the loaded registry the one getStrategy, isStrategyId and strategyIds read', async () => {
    expect(isStrategyId('every_seventh')).toBe(false);
    const folder = writePluginFolder({ 'everySeventh.ts': periodicPluginSource('every_seventh', 7), 'broken.ts': SYNTAX_ERROR_SOURCE });
    await loadStrategies({ directory: folder });
    expect(isStrategyId('every_seventh')).toBe(true);
    expect(strategyIds()).toEqual(['volume_zone_breakout', 'volume_long_candle', 'every_seventh']);
    expect(getStrategy('every_seventh').id).toBe('every_seventh');
    expect(() => getStrategy('broken')).toThrow(
      'unknown strategy: got "broken", expected one of volume_zone_breakout, volume_long_candle, every_seventh',
    );
  });
});
