/** `backtest`: the command-line client of the REST API (commander wiring; bin/backtest runs this file). */
import { Command, CommanderError, Option } from 'commander';
import { timeframes } from '../contracts/backtestRequest';
import { cliApiClient, type ApiClient } from './apiClient';
import { cancelTask, deleteTask, listStrategies, listSymbols, listTasks, setPinned, showTask } from './commands';
import { CliError, EXIT_CODES_HELP, ExitCode } from './exitCodes';
import { parseParam, runBacktest } from './run';

const program = new Command('backtest')
  .description('Submit, follow and inspect backtests through the platform REST API.')
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

program
  .command('run')
  .description('submit a backtest, show its progress and print the summary per symbol')
  .requiredOption('--strategy <id>', 'strategy id (backtest strategies lists them)')
  .requiredOption('--symbols <list>', 'comma-separated symbols, e.g. BTC_KRW,ETH_KRW')
  .requiredOption('--from <date>', 'first day, YYYY-MM-DD')
  .requiredOption('--to <date>', 'last day, YYYY-MM-DD')
  .addOption(new Option('--timeframe <tf>', 'candle timeframe').choices(timeframes).default('1d'))
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

program
  .command('cancel')
  .description('cancel a running task')
  .argument('<task-id>')
  .action(async (taskId: string) => exitWith(await cancelTask(client(), taskId)));

program
  .command('pin')
  .description('keep a task: cleanup never deletes a pinned task')
  .argument('<task-id>')
  .action(async (taskId: string) => exitWith(await setPinned(client(), taskId, true)));

program
  .command('unpin')
  .description('let a task expire with its TTL again')
  .argument('<task-id>')
  .action(async (taskId: string) => exitWith(await setPinned(client(), taskId, false)));

program
  .command('delete')
  .description("delete a finished task's result files and row now")
  .argument('<task-id>')
  .action(async (taskId: string) => exitWith(await deleteTask(client(), taskId)));

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
