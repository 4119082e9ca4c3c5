/**
 * Exit codes of `backtest`, which scripts rely on (the same list is in `backtest --help`):
 *   0    success: the task or sweep completed, or the command did what it was asked
 *   1    the task or sweep ended failed or cancelled (`run`, `show`, `sweep`, `sweeps show`)
 *   2    usage error, or the API refused the request (4xx: validation, unknown task, task not running, ...)
 *   3    the API could not be reached, or answered 5xx
 *   130  Ctrl-C while `run` or `sweep` was waiting (the task or sweep keeps running)
 */
export const ExitCode = { success: 0, taskUnsuccessful: 1, refused: 2, unreachable: 3, interrupted: 130 } as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0    success: the task or sweep completed, or the command did what it was asked
  1    the task or sweep ended failed or cancelled (run, show, sweep, sweeps show)
  2    usage error, or the API refused the request (4xx; each invalid field is printed)
  3    the API could not be reached, or answered 5xx
  130  Ctrl-C while run or sweep was waiting (the task or sweep keeps running)`;

/** An error to print on stderr and exit with; the message is all the user needs. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
