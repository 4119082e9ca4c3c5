/**
 * The strategy kit: everything a strategy plugin imports (DESIGN.md section 14, docs/strategies.md), from one module.
 * A plugin in the project's strategies/ folder imports it as `../src/engine/strategyKit`; a plugin folder elsewhere
 * imports it by its path in the checkout. `z` is the platform's own zod, so the loader and the API read the plugin's
 * parameter schema like a built-in's.
 */
export { z } from 'zod';
export { defineStrategy, holdPeriodBars, holdPeriodBarsSchema, type Strategy } from './strategy';
export type { Candles } from './types';
export * from './indicators';
