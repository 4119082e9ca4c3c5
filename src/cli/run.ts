/** `backtest run`: submit a backtest, follow it with a progress display, print the outcome. */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { InvalidArgumentError } from 'commander';
import type { Timeframe } from '../contracts/backtestRequest';
import type { ApiClient, TaskResponse } from './apiClient';
import { readOutcome } from './commands';
import { followSubmission, type ProgressDisplay } from './follow';
import { formatRunOutcome } from './format';

/** More symbols than this share one bar: a bar per symbol would not fit a terminal. */
const MAX_BARS = 20;

export interface RunOptions {
  strategy: string;
  symbols: string;
  from: string;
  to: string;
  timeframe: Timeframe;
  param?: Record<string, unknown>;
  wait: boolean;
  json?: boolean;
}

/** A parameter value as typed: numbers and booleans become JSON numbers and booleans, anything else stays text. */
export function parseValue(text: string): number | boolean | string {
  const raw = text.trim();
  return raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
}

/** `--param key=value`, repeatable. */
export function parseParam(pair: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const separator = pair.indexOf('=');
  if (separator <= 0) throw new InvalidArgumentError(`expected key=value, got ${JSON.stringify(pair)}`);
  return { ...previous, [pair.slice(0, separator).trim()]: parseValue(pair.slice(separator + 1)) };
}

/** `--symbols BTC_KRW,ETH_KRW`: the symbols, blanks dropped. */
export function symbolList(text: string): string[] {
  return text
    .split(',')
    .map((symbol) => symbol.trim())
    .filter(Boolean);
}

function followHint(taskId: string): string {
  return `follow it: backtest show ${taskId}\ncancel it: backtest cancel ${taskId}`;
}

/** For a terminal: one bar per symbol (or one for the task when there are many), redrawn in place. */
function progressBars(): ProgressDisplay<TaskResponse> {
  const multiBar = new MultiBar(
    { stream: process.stdout, format: '{label} [{bar}] {percentage}% {state}', hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  const bars = new Map<string, SingleBar>();
  return {
    update(status) {
      const rows =
        status.symbols.length <= MAX_BARS
          ? status.symbols.map((entry) => ({ label: entry.symbol, progress: entry.progress, state: entry.state }))
          : [{ label: `${status.symbols.length} symbols`, progress: status.progress, state: status.status }];
      const width = Math.max(...rows.map((row) => row.label.length));
      for (const row of rows) {
        const payload = { label: row.label.padEnd(width), state: row.state };
        const value = Math.round(row.progress * 100);
        const bar = bars.get(row.label);
        if (bar) bar.update(value, payload);
        else bars.set(row.label, multiBar.create(100, value, payload));
      }
    },
    stop: () => multiBar.stop(),
  };
}

/** For pipes and logs: a line whenever a symbol changes state or passes another tenth of its work. */
function progressLines(): ProgressDisplay<TaskResponse> {
  const lastLine = new Map<string, string>();
  return {
    update(status) {
      for (const entry of status.symbols) {
        const line = `${entry.symbol} ${entry.state} ${Math.floor(entry.progress * 10) * 10}%`;
        if (lastLine.get(entry.symbol) === line) continue;
        lastLine.set(entry.symbol, line);
        console.log(line);
      }
    },
    stop: () => undefined,
  };
}

export async function runBacktest(client: ApiClient, options: RunOptions): Promise<number> {
  const submission = await client.submitBacktest({
    body: {
      strategy: options.strategy,
      params: options.param ?? {},
      symbols: symbolList(options.symbols),
      start_date: options.from,
      end_date: options.to,
      timeframe: options.timeframe,
    },
  });
  const taskId = submission.task_id;
  return followSubmission(
    submission,
    {
      name: `task ${taskId}`,
      hint: followHint(taskId),
      read: () => client.getBacktest({ params: { id: taskId } }),
      progressBar: progressBars,
      progressLines,
      readOutcome: (status) => readOutcome(client, status),
      formatOutcome: formatRunOutcome,
    },
    options,
  );
}
