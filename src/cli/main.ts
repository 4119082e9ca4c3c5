/** `backtest`: the command-line client of the REST API (commander wiring; bin/backtest runs this file). */
import { Command, CommanderError, Option } from 'commander';
import { timeframes } from '../contracts/backtestRequest';
import { sweepStatuses } from '../contracts/sweep';
import { cliApiClient, type ApiClient } from './apiClient';
import { cancelRun, deleteRun, listStrategies, listSymbols, listTasks, setRunPinned, showTask, taskKind, type RunKind } from './commands';
import { CliError, EXIT_CODES_HELP, ExitCode } from './exitCodes';
import { parseParam, runBacktest } from './run';
import { parseGrid, parseObjective, parseWalkForward, parseWholeNumber, runSweep } from './sweep';
import { listSweeps, showSweep, sweepKind } from './sweepCommands';

const program = new Command('backtest')
  .description('Submit, follow and inspect backtests and parameter sweeps through the platform REST API.')
  .addOption(new Option('--api <url>', 'API base URL').env('BACKTEST_API_URL').default('http://127.0.0.1:3000'))
  .addOption(new Option('--token <token>', 'bearer token, for an API started with API_TOKEN').env('API_TOKEN'))
  .addHelpText('after', EXIT_CODES_HELP)
  .showHelpAfterError('(backtest --help for usage)')
  .exitOverride();

function client(): ApiClient {
  const { api, token } = program.opts<{ api: string; token?: string }>();
  return cliApiClient({ baseUrl: api, token });
}

function exitWith(code: number): void {
  process.exitCode = code;
}

/** cancel, pin, unpin and delete: for tasks at the top level, for sweeps under `sweeps`. */
function addManagementCommands(parent: Command, kind: RunKind): void {
  const { noun } = kind;
  parent
    .command('cancel')
    .description(`cancel a running ${noun}`)
    .argument(`<${noun}-id>`)
    .action(async (id: string) => exitWith(await cancelRun(client(), kind, id)));
  parent
    .command('pin')
    .description(`keep a ${noun}: cleanup never deletes a pinned ${noun}`)
    .argument(`<${noun}-id>`)
    .action(async (id: string) => exitWith(await setRunPinned(client(), kind, id, true)));
  parent
    .command('unpin')
    .description(`let a ${noun} expire with its TTL again`)
    .argument(`<${noun}-id>`)
    .action(async (id: string) => exitWith(await setRunPinned(client(), kind, id, false)));
  parent
    .command('delete')
    .description(`delete a finished ${noun}'s result files and row now`)
    .argument(`<${noun}-id>`)
    .action(async (id: string) => exitWith(await deleteRun(client(), kind, id)));
}

/** What a backtest and a sweep both take: the strategy, the symbols, the range, the timeframe, fixed parameters. */
function runOptions(command: Command): Command {
  return command
    .requiredOption('--strategy <id>', 'strategy id (backtest strategies lists them)')
    .requiredOption('--symbols <list>', 'comma-separated symbols, e.g. BTC_KRW,ETH_KRW')
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last day, YYYY-MM-DD')
    .addOption(new Option('--timeframe <tf>', 'candle timeframe').choices(timeframes).default('1d'));
}

runOptions(program.command('run').description('submit a backtest, show its progress and print the summary per symbol'))
  .option('--param <key=value>', 'strategy or execution parameter; repeatable', parseParam)
  .option('--no-wait', 'print the task id and return without waiting')
  .option('--json', 'print the final status and summary as JSON')
  .action(async (options) => exitWith(await runBacktest(client(), options)));

program
  .command('list')
  .description('history of tasks, newest first')
  .option('--status <status>', 'running, completed, failed or cancelled')
  .option('--strategy <id>', 'only this strategy')
  .option('--symbol <symbol>', 'only tasks with this symbol')
  .option('--limit <n>', 'at most n tasks (API default 20)')
  .option('--json', 'print the API response as JSON')
  .action(async (options) => exitWith(await listTasks(client(), options)));

program
  .command('show')
  .description('status, per-symbol states, and the summary when completed')
  .argument('<task-id>')
  .option('--json', 'print the status and summary as JSON')
  .action(async (taskId: string, options) => exitWith(await showTask(client(), taskId, options)));

addManagementCommands(program, taskKind);

program
  .command('strategies')
  .description('strategies with their parameters, defaults and ranges')
  .option('--json', 'print the API response as JSON')
  .action(async (options) => exitWith(await listStrategies(client(), options)));

program
  .command('symbols')
  .description('market data: symbols, timeframes and date ranges')
  .option('--json', 'print the API response as JSON')
  .action(async (options) => exitWith(await listSymbols(client(), options)));

runOptions(
  program
    .command('sweep')
    .summary('submit a parameter sweep, follow it with the ETA and the best so far, print the ten best rows')
    .description(
      'submit a parameter sweep, show its progress with the ETA and the best so far, then print the ten best rows ' +
        '(the combinations ranked over all symbols; with one symbol and no walk-forward, its rows with every metric)',
    ),
)
  .option('--param <key=value>', 'fixed strategy or execution parameter; repeatable', parseParam)
  .requiredOption('--grid <name=values>', 'swept parameter: name=v1,v2,... or name=from:to:step (inclusive); repeatable', parseGrid)
  .requiredOption(
    '--objective <metric[:max|min]>',
    'summary metric to rank by, e.g. sharpe or max_drawdown:min (default direction: min for max_drawdown, max otherwise)',
    parseObjective,
  )
  .option('--min-trades <n>', 'combinations with fewer closed trades rank after all others (API default 1)', parseWholeNumber)
  .option('--random <n>', 'evaluate n combinations of the grid drawn at random instead of all', parseWholeNumber)
  .option('--seed <s>', 'seed of the --random draw: the same seed draws the same combinations (default 0)', parseWholeNumber)
  .option('--walk-forward <spec>', 'validate out of sample: folds=N,in_sample=PCT[,anchored], e.g. folds=5,in_sample=70', parseWalkForward)
  .option('--top <k>', 'run the k best combinations afterwards as ordinary backtests (0..20)', parseWholeNumber)
  .option('--no-wait', 'print the sweep id and return without waiting')
  .option('--json', 'print the final status and the best rows as JSON')
  .action(async (options, command: Command) => {
    if (options.seed !== undefined && options.random === undefined) command.error('error: --seed <s> needs --random <n>');
    exitWith(await runSweep(client(), options));
  });

const sweeps = program.command('sweeps').description('list, show, cancel, pin, unpin and delete parameter sweeps');

sweeps
  .command('list')
  .description('sweeps, newest first')
  .addOption(new Option('--status <status>', 'only sweeps in this state').choices(sweepStatuses))
  .option('--strategy <id>', 'only this strategy')
  .option('--symbol <symbol>', 'only sweeps with this symbol')
  .option('--limit <n>', 'at most n sweeps (API default 20)')
  .option('--json', 'print the API response as JSON')
  .action(async (options) => exitWith(await listSweeps(client(), options)));

sweeps
  .command('show')
  .description('the request, status, progress with ETA and best so far; the best rows and walk-forward when completed')
  .argument('<sweep-id>')
  .option('--json', 'print the status, the best rows and the walk-forward figures as JSON')
  .action(async (sweepId: string, options) => exitWith(await showSweep(client(), sweepId, options)));

addManagementCommands(sweeps, sweepKind);

async function main(argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has printed the problem (or the help); any usage problem is exit 2
      exitWith(error.exitCode === 0 ? ExitCode.success : ExitCode.refused);
    } else if (error instanceof CliError) {
      console.error(`error: ${error.message}`);
      exitWith(error.exitCode);
    } else {
      throw error;
    }
  }
}

// `backtest list | head`: a closed pipe ends the output, not with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? ExitCode.success);
});

void main(process.argv);
