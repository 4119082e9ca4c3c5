/** `backtest run`: submit a backtest, follow it with a progress display, print the outcome. */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { InvalidArgumentError } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Timeframe } from '../contracts/backtestRequest';
import type { ApiClient, TaskResponse } from './apiClient';
import { FINAL_STATUSES, printJson, readOutcome, taskExitCode } from './commands';
import { CliError, ExitCode } from './exitCodes';
import { formatRunOutcome } from './format';

const POLL_INTERVAL_MS = 300;
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

/** `--param key=value`, repeatable: numbers and booleans become JSON numbers and booleans. */
export function parseParam(pair: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const separator = pair.indexOf('=');
  if (separator <= 0) throw new InvalidArgumentError(`expected key=value, got ${JSON.stringify(pair)}`);
  const raw = pair.slice(separator + 1).trim();
  const value = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  return { ...previous, [pair.slice(0, separator).trim()]: value };
}

function followHint(taskId: string): string {
  return `follow it: backtest show ${taskId}\ncancel it: backtest cancel ${taskId}`;
}

interface ProgressDisplay {
  update(status: TaskResponse): void;
  stop(): void;
}

/** For a terminal: one bar per symbol (or one for the task when there are many), redrawn in place. */
function progressBars(): ProgressDisplay {
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
function progressLines(): ProgressDisplay {
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

const noProgress: ProgressDisplay = { update: () => undefined, stop: () => undefined };

async function waitForTask(client: ApiClient, taskId: string, display: ProgressDisplay): Promise<TaskResponse> {
  for (;;) {
    const status = await client.getBacktest({ params: { id: taskId } });
    display.update(status);
    if (FINAL_STATUSES.has(status.status)) return status;
    await sleep(POLL_INTERVAL_MS);
  }
}

export async function runBacktest(client: ApiClient, options: RunOptions): Promise<number> {
  const submission = await client.submitBacktest({
    body: {
      strategy: options.strategy,
      params: options.param ?? {},
      symbols: options.symbols
        .split(',')
        .map((symbol) => symbol.trim())
        .filter(Boolean),
      start_date: options.from,
      end_date: options.to,
      timeframe: options.timeframe,
    },
  });
  const taskId = submission.task_id;
  if (!options.wait) {
    if (options.json) printJson(submission);
    else console.log(`task ${taskId} queued\n${followHint(taskId)}`);
    return ExitCode.success;
  }

  if (!options.json) console.log(`task ${taskId} submitted`);
  const display = options.json ? noProgress : process.stdout.isTTY ? progressBars() : progressLines();
  // Ctrl-C only stops the waiting: the task is the server's and keeps running.
  const stopWaiting = () => {
    display.stop();
    console.error(`\nstopped waiting; task ${taskId} keeps running\n${followHint(taskId)}`);
    process.exit(ExitCode.interrupted);
  };
  process.once('SIGINT', stopWaiting);
  let status: TaskResponse;
  try {
    status = await waitForTask(client, taskId, display);
  } catch (error) {
    if (error instanceof CliError)
      throw new CliError(`${error.message}\ntask ${taskId} may still be running\n${followHint(taskId)}`, error.exitCode);
    throw error;
  } finally {
    display.stop();
    process.removeListener('SIGINT', stopWaiting);
  }

  const outcome = await readOutcome(client, status);
  if (options.json) printJson(outcome);
  else console.log(formatRunOutcome(outcome));
  return taskExitCode(status);
}
