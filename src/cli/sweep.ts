/** `backtest sweep`: submit a parameter sweep, follow it with a progress display, print the best rows. */
import { Presets, SingleBar } from 'cli-progress';
import { InvalidArgumentError } from 'commander';
import type { SweepRequestInput } from '../contracts/sweepRequest';
import type { ApiClient, SweepResponse } from './apiClient';
import { followSubmission, type ProgressDisplay } from './follow';
import { parseValue, symbolList, type RunOptions } from './run';
import { readSweepOutcome } from './sweepCommands';
import { formatBest, formatDuration, formatProgressLine, formatSweepOutcome, sweepState } from './sweepFormat';

type GridEntry = SweepRequestInput['grid'][string];
type Objective = Pick<SweepRequestInput['objective'], 'metric' | 'direction'>;
type WalkForward = NonNullable<SweepRequestInput['walk_forward']>;

export interface SweepOptions extends RunOptions {
  grid: Record<string, GridEntry>;
  objective: Objective;
  minTrades?: number;
  random?: number;
  seed?: number;
  walkForward?: WalkForward;
  top?: number;
}

const GRID_FORMS = 'name=v1,v2,... or name=from:to:step';

/** `--grid name=v1,v2,...` (values as `--param` reads them) or `--grid name=from:to:step` (inclusive), repeatable. */
export function parseGrid(spec: string, previous: Record<string, GridEntry> = {}): Record<string, GridEntry> {
  const separator = spec.indexOf('=');
  const name = spec.slice(0, separator).trim();
  const values = spec.slice(separator + 1).trim();
  if (separator <= 0 || !name || !values) throw new InvalidArgumentError(`expected ${GRID_FORMS}, got ${JSON.stringify(spec)}`);
  if (name in previous) throw new InvalidArgumentError(`${name} is swept twice; give all its values in one --grid`);
  if (values.includes(':')) {
    const parts = values.split(':').map((part) => part.trim());
    const numbers = parts.map(Number);
    if (parts.length !== 3 || parts.includes('') || !numbers.every(Number.isFinite)) {
      throw new InvalidArgumentError(`expected ${name}=from:to:step with three numbers, got ${JSON.stringify(spec)}`);
    }
    const [from, to, step] = numbers;
    return { ...previous, [name]: { from, to, step } };
  }
  const list = values.split(',').map((value) => value.trim());
  if (list.includes('')) throw new InvalidArgumentError(`an empty value in ${JSON.stringify(spec)}; expected ${GRID_FORMS}`);
  return { ...previous, [name]: list.map(parseValue) };
}

/** `--objective sharpe`, `--objective max_drawdown:min`: the metric, and the direction when given (the API's default otherwise). */
export function parseObjective(spec: string): Objective {
  const [metric, direction, ...rest] = spec.split(':').map((part) => part.trim());
  if (!metric || rest.length > 0 || (direction !== undefined && direction !== 'max' && direction !== 'min')) {
    throw new InvalidArgumentError(`expected metric, metric:max or metric:min, got ${JSON.stringify(spec)}`);
  }
  // the API checks the metric's name and lists the valid ones
  return { metric: metric as Objective['metric'], ...(direction ? { direction } : {}) };
}

/** `--walk-forward folds=5,in_sample=70[,anchored]`. */
export function parseWalkForward(spec: string): WalkForward {
  const expected = `expected folds=N,in_sample=PCT[,anchored], got ${JSON.stringify(spec)}`;
  const fields = new Map(
    spec.split(',').map((item) => {
      const [key, value] = item.split('=').map((part) => part.trim());
      return [key, value] as const;
    }),
  );
  const folds = Number(fields.get('folds'));
  const inSample = Number(fields.get('in_sample'));
  const anchored = fields.get('anchored');
  const unknown = [...fields.keys()].filter((key) => !['folds', 'in_sample', 'anchored'].includes(key));
  if (unknown.length > 0 || !Number.isInteger(folds) || !Number.isFinite(inSample) || !['true', 'false', undefined].includes(anchored)) {
    throw new InvalidArgumentError(expected);
  }
  return { folds, in_sample_pct: inSample, anchored: fields.has('anchored') && anchored !== 'false' };
}

/** `--min-trades 5`, `--random 500`, `--seed 7`, `--top 3`. */
export function parseWholeNumber(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError(`expected a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

function followHint(sweepId: string): string {
  return `follow it: backtest sweeps show ${sweepId}\ncancel it: backtest sweeps cancel ${sweepId}`;
}

/** For a terminal: one bar over all evaluations, with the ETA and the best so far, redrawn in place. */
function progressBar(): ProgressDisplay<SweepResponse> {
  const bar = new SingleBar(
    {
      stream: process.stdout,
      format: '{state} [{bar}] {percentage}% {value}/{total} evaluations | ETA {time_left} | {best}',
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(status) {
      const payload = { state: sweepState(status), time_left: formatDuration(status.eta_seconds), best: formatBest(status) };
      if (started) {
        bar.update(status.evaluated, payload);
      } else {
        bar.start(status.evaluations, status.evaluated, payload);
        started = true;
      }
    },
    stop: () => bar.stop(),
  };
}

/** For pipes and logs: a line whenever the state changes or the sweep passes another tenth of its evaluations. */
function progressLines(): ProgressDisplay<SweepResponse> {
  let lastLine = '';
  return {
    update(status) {
      const tenth = `${sweepState(status)} ${Math.floor(status.progress * 10)}`;
      if (tenth === lastLine) return;
      lastLine = tenth;
      console.log(formatProgressLine(status));
    },
    stop: () => undefined,
  };
}

function sweepRequest(options: SweepOptions): SweepRequestInput {
  return {
    strategy: options.strategy as SweepRequestInput['strategy'],
    params: options.param ?? {},
    symbols: symbolList(options.symbols),
    start_date: options.from,
    end_date: options.to,
    timeframe: options.timeframe,
    grid: options.grid,
    search: options.random === undefined ? { method: 'grid' } : { method: 'random', samples: options.random, seed: options.seed ?? 0 },
    objective: { ...options.objective, ...(options.minTrades === undefined ? {} : { min_trades: options.minTrades }) },
    ...(options.walkForward ? { walk_forward: options.walkForward } : {}),
    materialize_top: options.top ?? 0,
  };
}

export async function runSweep(client: ApiClient, options: SweepOptions): Promise<number> {
  const submission = await client.createSweep({ body: sweepRequest(options) });
  const sweepId = submission.sweep_id;
  return followSubmission(
    submission,
    {
      name: `sweep ${sweepId}`,
      hint: followHint(sweepId),
      size: `${submission.combinations} combinations, ${submission.evaluations} evaluations`,
      read: () => client.getSweep({ params: { id: sweepId } }),
      progressBar,
      progressLines,
      readOutcome: (status) => readSweepOutcome(client, status),
      formatOutcome: formatSweepOutcome,
    },
    options,
  );
}
