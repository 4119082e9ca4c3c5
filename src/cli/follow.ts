/**
 * Following a submitted task or sweep until it finishes: the status polled, shown by a progress display, and
 * Ctrl-C stopping only the waiting (the work is the server's and keeps running); then the outcome printed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FINAL_STATUSES, outcomeExitCode, printJson } from './commands';
import { CliError, ExitCode } from './exitCodes';

const POLL_INTERVAL_MS = 300;

export interface ProgressDisplay<Status> {
  update(status: Status): void;
  stop(): void;
}

export const noProgress: ProgressDisplay<unknown> = { update: () => undefined, stop: () => undefined };

/** What is followed, for the messages when the waiting ends early. */
export interface Followed {
  /** The subject of a sentence: `task <id>`, `sweep <id>`. */
  name: string;
  /** How to follow and cancel it later. */
  hint: string;
}

/**
 * Polls `read` until the status is final and returns it. `announcement` is printed once Ctrl-C is handled: a user
 * (or a script) who interrupts as soon as it appears only stops the waiting, never kills the client mid-way.
 */
export async function followUntilFinished<Status extends { status: string }>(
  read: () => Promise<Status>,
  display: ProgressDisplay<NoInfer<Status>>,
  { name, hint }: Followed,
  announcement?: string,
): Promise<Status> {
  const stopWaiting = () => {
    display.stop();
    console.error(`\nstopped waiting; ${name} keeps running\n${hint}`);
    process.exit(ExitCode.interrupted);
  };
  process.once('SIGINT', stopWaiting);
  if (announcement !== undefined) console.log(announcement);
  try {
    for (;;) {
      const status = await read();
      display.update(status);
      if (FINAL_STATUSES.has(status.status)) return status;
      await sleep(POLL_INTERVAL_MS);
    }
  } catch (error) {
    if (error instanceof CliError) throw new CliError(`${error.message}\n${name} may still be running\n${hint}`, error.exitCode);
    throw error;
  } finally {
    display.stop();
    process.removeListener('SIGINT', stopWaiting);
  }
}

/** How to follow one kind of submission (a task, a sweep) and report its outcome. */
export interface Following<Status extends { status: string }, Outcome> extends Followed {
  /** Said after the name when submitted, e.g. the number of evaluations. */
  size?: string;
  read(): Promise<Status>;
  /** The display for a terminal (redrawn in place) and the one for pipes and logs (a line at a time). */
  progressBar(): ProgressDisplay<Status>;
  progressLines(): ProgressDisplay<Status>;
  readOutcome(status: Status): Promise<Outcome>;
  formatOutcome(outcome: Outcome): string;
}

/**
 * After a submission: without waiting, its id (or the API's answer as JSON); otherwise the progress until it
 * finishes, then the outcome as text or JSON. Returns the exit code.
 */
export async function followSubmission<Status extends { status: string }, Outcome>(
  submission: unknown,
  following: Following<Status, Outcome>,
  options: { wait: boolean; json?: boolean },
): Promise<number> {
  const submitted = `${following.name} ${options.wait ? 'submitted' : 'queued'}${following.size ? `: ${following.size}` : ''}`;
  if (!options.wait) {
    if (options.json) printJson(submission);
    else console.log(`${submitted}\n${following.hint}`);
    return ExitCode.success;
  }
  const display = options.json ? noProgress : process.stdout.isTTY ? following.progressBar() : following.progressLines();
  const status = await followUntilFinished(() => following.read(), display, following, options.json ? undefined : submitted);
  const outcome = await following.readOutcome(status);
  if (options.json) printJson(outcome);
  else console.log(following.formatOutcome(outcome));
  return outcomeExitCode(status);
}
