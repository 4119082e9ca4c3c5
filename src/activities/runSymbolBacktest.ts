/** One symbol: load its candles, run the engine, stage the bulk output; only a small summary returns. */
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { paramsSchemaFor } from '../contracts/backtestRequest';
import type { SymbolHeartbeat, SymbolRunResult, SymbolTaskInput } from '../contracts/task';
import { periodsPerYear } from '../engine/timeframes';
import { writeSymbolStaging } from '../storage/staging';
import { CandlesForThreads } from './candlesForThreads';
import type { ActivityDependencies } from './dependencies';
import { loadCandlesOrFail } from './loadCandles';
import { checkedStrategy } from './strategyCheck';

/** Reports progress and stops promptly when the workflow was cancelled (cancellation arrives via heartbeats). */
function reportProgress(symbol: string, progress: number): void {
  const context = Context.current();
  context.heartbeat({ symbol, progress } satisfies SymbolHeartbeat);
  if (context.cancellationSignal.aborted) throw new CancelledFailure(`backtest of ${symbol} cancelled`);
}

export function createRunSymbolBacktest({ store, marketData, evaluation, logger, workerId, strategies }: ActivityDependencies) {
  const candlesForThreads = new CandlesForThreads(marketData);
  return async function runSymbolBacktest({ task_id, symbol, spec }: SymbolTaskInput): Promise<SymbolRunResult> {
    const log = logger.child({ task_id, symbol });
    const startedAt = performance.now();
    reportProgress(symbol, 0);

    const strategy = checkedStrategy(strategies, spec.strategy, spec.strategy_version, workerId);
    const params = paramsSchemaFor(strategy.strategy).safeParse(spec.params);
    if (!params.success) {
      throw ApplicationFailure.nonRetryable(`invalid parameters: ${params.error.message}`, 'InvalidParameters');
    }

    const loaded = await loadCandlesOrFail(
      (range) => candlesForThreads.load(range),
      { symbol, timeframe: spec.timeframe, startDate: spec.start_date, endDate: spec.end_date },
      (error) => log.warn({ err: error.message, code: error.code }, 'market data rejected'),
    );
    reportProgress(symbol, 0.4);

    const { candles, files } = loaded;
    // On a thread of the pool: this thread stays free to heartbeat and to serve other activities.
    const output = await evaluation.runBacktest({
      symbol,
      candles,
      strategy: spec.strategy,
      strategyVersion: strategy.version,
      params: params.data,
      periodsPerYear: periodsPerYear(spec.timeframe),
    });
    reportProgress(symbol, 0.7);

    const executionMs = performance.now() - startedAt;
    await writeSymbolStaging({
      store,
      taskId: task_id,
      symbol,
      tables: output.tables,
      summary: output.summary,
      dataUsed: {
        candles: candles.length,
        first_candle: candles.length > 0 ? new Date(candles.timestamp[0]).toISOString() : null,
        last_candle: candles.length > 0 ? new Date(candles.timestamp[candles.length - 1]).toISOString() : null,
        data_files: files,
      },
      executionMs,
      workerId,
    });
    reportProgress(symbol, 1);
    log.info({ candles: candles.length, trades: output.tradeCount, execution_ms: executionMs }, 'symbol done');
    return { symbol, candles: candles.length, trades: output.tradeCount, execution_ms: executionMs };
  };
}
