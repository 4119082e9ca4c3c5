/**
 * End-to-end timings on real components (Temporal dev server, PostgreSQL, in-process worker, HTTP API):
 *   - REST submit -> completed for 1 symbol x 1000 daily candles (median and p90 of 10 runs after a warm-up)
 *   - 100 symbols x 8760 hourly candles in one backtest (end to end, and its history size)
 * Run: npx tsx scripts/bench-e2e.ts
 */
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { writeSampleData } from '../src/data/sampleData';
import { LocalBlobStore } from '../src/storage/providers';
import { readManifestOf, runOnRealStack, startHarness } from '../test/integration/harness';

const hourlySymbols = Array.from({ length: 100 }, (_, index) => `H${String(index).padStart(3, '0')}_KRW`);

runOnRealStack(async () => {
  const dataRoot = mkdtempSync(join(process.env.TEST_SCRATCH!, 'bench-'));
  const store = new LocalBlobStore(dataRoot);
  await writeSampleData({ store, symbols: ['BTC_KRW'], timeframes: ['1d'] });
  await writeSampleData({ store, symbols: hourlySymbols, timeframes: ['1h'], startDate: '2023-01-01', endDate: '2023-12-31' });
  const harness = await startHarness({ env: { DATA_ROOT: dataRoot, LOG_LEVEL: 'silent' } });
  const server = harness.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** Submits over HTTP and polls until the task is finished; returns milliseconds. */
  async function submitAndWait(body: object): Promise<{ ms: number; taskId: string }> {
    const started = performance.now();
    const response = await fetch(`${api}/api/backtests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const { task_id: taskId } = (await response.json()) as { task_id: string };
    for (;;) {
      const status = (await (await fetch(`${api}/api/backtests/${taskId}`)).json()) as { status: string };
      if (status.status === 'completed') return { ms: performance.now() - started, taskId };
      if (status.status === 'failed' || status.status === 'cancelled') throw new Error(`task ${taskId} ${status.status}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  try {
    // 1000 daily candles: 2022-04-06 .. 2024-12-31.
    const single = {
      strategy: 'volume_zone_breakout',
      symbols: ['BTC_KRW'],
      start_date: '2022-04-06',
      end_date: '2024-12-31',
      timeframe: '1d',
    };
    await submitAndWait(single);
    const times: number[] = [];
    for (let run = 0; run < 10; run++) times.push((await submitAndWait(single)).ms);
    times.sort((a, b) => a - b);
    console.log(`e2e 1 symbol x 1000 daily candles p50: ${((times[4] + times[5]) / 2).toFixed(0)} ms`);
    console.log(`e2e 1 symbol x 1000 daily candles p90: ${times[8].toFixed(0)} ms`);

    const wide = {
      strategy: 'volume_zone_breakout',
      symbols: hourlySymbols,
      start_date: '2023-01-01',
      end_date: '2023-12-31',
      timeframe: '1h',
    };
    const { ms, taskId } = await submitAndWait(wide);
    const description = await harness.client.workflow.getHandle(taskId).describe();
    console.log(`e2e 100 symbols x 8760 hourly candles: ${ms.toFixed(0)} ms`);
    console.log(`e2e 100 symbols x 8760 hourly candles history: ${description.historySize} bytes, ${description.historyLength} events`);
    const manifest = await readManifestOf(harness, taskId);
    console.log(
      `e2e 100 symbols x 8760 hourly candles mean symbol activity: ${manifest.summary.average_execution_time_per_symbol_ms.toFixed(1)} ms`,
    );
  } finally {
    server.close();
    await harness.stop();
  }
});
