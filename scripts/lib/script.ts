/**
 * The frame of every operator script: `--help` prints its usage; a wrong option or a missing argument
 * prints the reason and the usage (exit 2); a failure prints one line naming the script (exit 1).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParsedArgs<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

/** A mistake in the command line rather than a failure of the work: answered with the usage. */
export class UsageError extends Error {}

// Not `instanceof Error`: errors from Node's internals may come from another realm (jest's sandbox).
const messageOf = (error: unknown) =>
  typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);

/**
 * Parses the arguments and runs `main`; its result, when a number, is the exit code. Settles (never
 * rejects) once the script is done. `usage` is the whole help text: the command line and each option.
 */
export async function runScript<T extends ParseArgsConfig>(
  name: string,
  usage: string,
  config: T,
  main: (args: ParsedArgs<T>) => Promise<number | void>,
): Promise<void> {
  // exitCode rather than exit(): output still buffered for a pipe gets written.
  const usageFailure = (reason: string) => {
    console.error(`${name}: ${reason}\n\n${usage.trim()}`);
    process.exitCode = 2;
  };
  let args: ParsedArgs<T>;
  try {
    const helpOption = { help: { type: 'boolean', short: 'h' } } as const;
    args = parseArgs({ ...config, options: { ...config.options, ...helpOption } }) as ParsedArgs<T>;
  } catch (error) {
    return usageFailure(messageOf(error));
  }
  if ((args.values as { help?: boolean }).help) {
    console.log(usage.trim());
    return;
  }
  try {
    process.exitCode = (await main(args)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(error.message);
    console.error(`${name} failed: ${messageOf(error)}`);
    process.exitCode = 1;
  }
}
