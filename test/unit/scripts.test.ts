/** The operator scripts' common frame: --help, usage mistakes (exit 2) and failures (exit 1). */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runScript, UsageError } from '../../scripts/lib/script';

const USAGE = 'usage: npm run thing -- --name NAME';
const options = { name: { type: 'string' } } as const;

let errors: string[];
let logs: string[];

beforeEach(() => {
  errors = [];
  logs = [];
  jest.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
  jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
  process.exitCode = undefined;
});

afterEach(() => {
  jest.restoreAllMocks();
  process.exitCode = undefined;
});

/** Runs the frame with these arguments until the script has settled. */
function run(args: string[], main: (values: { name?: string }) => Promise<number | void>): Promise<void> {
  return runScript('thing', USAGE, { options, args }, ({ values }) => main(values));
}

it('prints the usage for --help and does not run the script', async () => {
  const main = jest.fn(async () => undefined);
  await run(['--help'], main);
  expect(main).not.toHaveBeenCalled();
  expect(logs).toEqual([USAGE]);
  expect(process.exitCode).toBeUndefined();
});

it('answers an unknown option with its name, the usage and exit code 2', async () => {
  const main = jest.fn(async () => undefined);
  await run(['--nmae', 'x'], main);
  expect(main).not.toHaveBeenCalled();
  expect(errors[0]).toBe(`thing: Unknown option '--nmae'\n\n${USAGE}`);
  expect(process.exitCode).toBe(2);
});

it('answers a UsageError from the script with the usage and exit code 2', async () => {
  await run([], async () => {
    throw new UsageError('--name is required');
  });
  expect(errors[0]).toBe(`thing: --name is required\n\n${USAGE}`);
  expect(process.exitCode).toBe(2);
});

it('reports a failure in one line naming the script, exit code 1', async () => {
  await run(['--name', 'x'], async () => {
    throw new Error('disk full');
  });
  expect(errors).toEqual(['thing failed: disk full']);
  expect(process.exitCode).toBe(1);
});

it('passes the parsed options to the script and uses its number as the exit code', async () => {
  let seen: string | undefined;
  await run(['--name', 'x'], async (values) => {
    seen = values.name;
    return 3;
  });
  expect(seen).toBe('x');
  expect(process.exitCode).toBe(3);
});

it.each(['import-csv', 'generate-sample-data', 'backup', 'restore', 'cleanup', 'migrate-json-results', 'migrate-storage'])(
  'scripts/%s.ts --help prints its usage',
  async (script) => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join('scripts', `${script}.ts`), '--help'], {
      cwd: join(__dirname, '..', '..'),
    });
    expect(stdout).toMatch(/^usage: npm run [a-z-]+ -- /);
    expect(stdout.split('\n').length).toBeGreaterThan(3);
  },
  20_000,
);
