/**
 * Strategy plugins (DESIGN.md section 14): every module in STRATEGIES_DIR whose default export is
 * `defineStrategy({...})` joins the built-ins in a registry, at the start of the API, of every worker and of the test
 * harness. A plugin that fails to load (syntax error, error while its module runs, missing import) or to validate, or
 * whose id is taken, is recorded as unavailable with the file and line; everything else keeps working.
 *
 * Plugins are imported like any module of the process (TypeScript through tsx, JavaScript as is), so they resolve
 * their imports from where they are: the project's strategies/ folder imports the kit as `../src/engine/strategyKit`.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { transform } from 'esbuild';
import type { Logger } from 'pino';
import {
  createStrategyRegistry,
  STRATEGY_ID_PATTERN,
  strategyDefinitionProblems,
  useStrategyRegistry,
  type RegisteredStrategy,
  type StrategyRegistry,
} from './engine/strategies';
import type { Strategy } from './engine/strategy';

/** Module files that are plugins; declarations, tests and anything in a subfolder are not. */
const PLUGIN_EXTENSIONS = ['.ts', '.js', '.mjs'];
const NOT_PLUGINS = /(\.d\.ts|\.test\.[cm]?[jt]s|\.spec\.[cm]?[jt]s)$/;

/** sha256 of a module's source, first 12 hex digits: a plugin's version. */
export function sourceVersion(source: Buffer | string): string {
  return createHash('sha256').update(source).digest('hex').slice(0, 12);
}

/** A place in a plugin's source, 1-based, as messages show it. */
interface SourcePosition {
  line: number;
  column: number;
}

/** A plugin that cannot be used, and where in its file the reason is. */
class PluginError extends Error {
  constructor(
    message: string,
    readonly position: SourcePosition,
    readonly declaredId?: string,
  ) {
    super(message);
  }
}

/** The position of the first match of `pattern` in `source`, or line 1. */
function positionOf(source: string, pattern: RegExp): SourcePosition {
  const match = pattern.exec(source);
  if (!match) return { line: 1, column: 1 };
  const before = source.slice(0, match.index).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Where the module's default export is written. */
const exportPosition = (source: string) => positionOf(source, /export\s+default\b|module\.exports\b|exports\.default\b/);

/** A syntax error as esbuild reports it (the same parser tsx runs), with its line and column. */
async function checkSyntax(file: string, source: string): Promise<void> {
  try {
    await transform(source, { loader: extname(file) === '.ts' ? 'ts' : 'js', sourcefile: file, logLevel: 'silent' });
  } catch (error) {
    const [first] = (error as { errors?: { text: string; location: { line: number; column: number } | null }[] }).errors ?? [];
    if (!first) throw error;
    const position = first.location ? { line: first.location.line, column: first.location.column + 1 } : { line: 1, column: 1 };
    throw new PluginError(`syntax error: ${first.text}`, position);
  }
}

/**
 * Where an error thrown while the module ran points in the plugin: for a missing import the line that imports it,
 * else the first stack frame in its file, else the first line.
 */
function errorPosition(error: unknown, file: string, source: string): SourcePosition {
  const missing = /Cannot find (?:module|package) '([^']+)'/.exec(String((error as Error)?.message));
  if (missing) return positionOf(source, new RegExp(`['"]${escapeRegExp(missing[1])}['"]`));
  const frame = new RegExp(`${escapeRegExp(file)}:(\\d+):(\\d+)`).exec(String((error as Error)?.stack ?? ''));
  return frame ? { line: Number(frame[1]), column: Number(frame[2]) } : { line: 1, column: 1 };
}

/**
 * The module's default export. TypeScript and .js plugins are required (this project is CommonJS: tsx compiles a .ts
 * plugin written as an ES module to CommonJS, `__esModule` marking it; Node 20's worker threads, where strategies run
 * too, import no TypeScript); their default export is `exports.default`, or `module.exports` of a plain CommonJS module,
 * as `import()` would see it. `.mjs` plugins are imported.
 */
async function defaultExportOf(file: string): Promise<unknown> {
  if (extname(file) === '.mjs') return ((await import(file)) as { default?: unknown }).default;
  const exported = require(file) as { __esModule?: boolean; default?: unknown };
  return exported?.__esModule === true ? exported.default : exported;
}

async function importPlugin(file: string, source: string): Promise<unknown> {
  try {
    return await defaultExportOf(file);
  } catch (error) {
    // the first line: Node appends the require stack, which names only the plugin itself
    const message = String((error as Error)?.message ?? error).split('\n')[0];
    throw new PluginError(`failed to load: ${message}`, errorPosition(error, file, source));
  }
}

/** The strategy a plugin module exports, validated, or a PluginError saying what is wrong and where. */
async function loadPlugin(file: string, source: string, registry: StrategyRegistry): Promise<Strategy> {
  await checkSyntax(file, source);
  const exported = await importPlugin(file, source);
  const declaredId = (exported as { id?: unknown } | undefined)?.id;
  const id = typeof declaredId === 'string' && STRATEGY_ID_PATTERN.test(declaredId) ? declaredId : undefined;
  const problems = strategyDefinitionProblems(exported);
  if (problems.length > 0) throw new PluginError(`invalid strategy: ${problems.join('; ')}`, exportPosition(source), id);
  const strategy = exported as Strategy;
  const holder = registry.describeHolder(strategy.id);
  if (holder) {
    const idPosition = positionOf(source, new RegExp(`['"\`]${escapeRegExp(strategy.id)}['"\`]`));
    throw new PluginError(`strategy id ${JSON.stringify(strategy.id)} is already taken by ${holder}: choose another id`, idPosition, id);
  }
  return strategy;
}

/** How a file is named in messages: relative to the working directory when it lies below it. */
function displayPath(file: string): string {
  const fromCwd = relative(process.cwd(), file);
  return fromCwd.startsWith('..') || isAbsolute(fromCwd) ? file : fromCwd;
}

/** The plugin files of a folder, by name; none when the folder does not exist. */
async function pluginFiles(directory: string): Promise<string[] | undefined> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return names
    .filter((name) => PLUGIN_EXTENSIONS.includes(extname(name)) && !NOT_PLUGINS.test(name))
    .sort()
    .map((name) => join(directory, name));
}

export interface LoadStrategiesOptions {
  /** The plugin folder (STRATEGIES_DIR); relative paths are read from the working directory. */
  directory: string;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

/**
 * A registry of the built-ins and the plugins of `directory` (a missing folder has none). Never throws for a
 * plugin's fault: such a plugin is in the registry as unavailable, with `file:line:column: message`.
 */
export async function loadStrategyRegistry({ directory, logger }: LoadStrategiesOptions): Promise<StrategyRegistry> {
  const registry = createStrategyRegistry();
  const folder = resolve(directory);
  const files = await pluginFiles(folder);
  if (files === undefined) {
    logger?.info({ strategies_dir: folder }, 'no strategy plugin folder; built-in strategies only');
    return registry;
  }
  for (const file of files) {
    const name = relative(folder, file);
    let source: string;
    try {
      source = await readFile(file, 'utf8');
    } catch (error) {
      const message = `${displayPath(file)}: cannot read: ${(error as Error).message}`;
      registry.addUnavailable({ id: basename(file, extname(file)), source: 'plugin', version: null, file: name, error: message });
      logger?.warn({ file: name, err: message }, 'strategy plugin unavailable');
      continue;
    }
    const version = sourceVersion(source);
    try {
      const strategy = await loadPlugin(file, source, registry);
      const entry: RegisteredStrategy = { strategy, source: 'plugin', version, file: name };
      registry.add(entry);
      logger?.info({ strategy: strategy.id, version, file: name }, 'strategy plugin loaded');
    } catch (error) {
      const { line, column } = error instanceof PluginError ? error.position : { line: 1, column: 1 };
      const message = `${displayPath(file)}:${line}:${column}: ${(error as Error).message}`;
      const id = (error instanceof PluginError && error.declaredId) || basename(file, extname(file));
      registry.addUnavailable({ id, source: 'plugin', version, file: name, error: message });
      logger?.warn({ file: name, version, err: message }, 'strategy plugin unavailable');
    }
  }
  return registry;
}

/** Loads STRATEGIES_DIR and makes the result this process's registry (what requests are validated against). */
export async function loadStrategies(options: LoadStrategiesOptions): Promise<StrategyRegistry> {
  const registry = await loadStrategyRegistry(options);
  useStrategyRegistry(registry);
  return registry;
}
