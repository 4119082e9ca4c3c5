/**
 * Schema migrations in the order they apply. A migration, once released, never changes: fix forward
 * with a new version. SQL lives in TypeScript modules so it ships with the compiled code.
 */
import { createBacktestResults } from './0001_create_backtest_results';
import { createParameterSweeps } from './0002_create_parameter_sweeps';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  { version: 1, name: 'create_backtest_results', sql: createBacktestResults },
  { version: 2, name: 'create_parameter_sweeps', sql: createParameterSweeps },
];
