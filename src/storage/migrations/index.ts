/**
 * Schema migrations in the order they apply. A migration, once released, never changes: fix forward
 * with a new version. SQL lives in TypeScript modules so it ships with the compiled code.
 */
import { createBacktestResults } from './0001_create_backtest_results';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [{ version: 1, name: 'create_backtest_results', sql: createBacktestResults }];
