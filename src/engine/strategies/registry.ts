import type { Strategy } from '../strategy';

/** Where a strategy comes from: compiled into the engine, or a plugin module loaded from STRATEGIES_DIR. */
export type StrategySource = 'builtin' | 'plugin';

/** A strategy that can run, with the version a task records and a worker checks (DESIGN.md section 14). */
export interface RegisteredStrategy {
  strategy: Strategy;
  source: StrategySource;
  /** Built-ins: BUILTIN_STRATEGY_VERSION; plugins: sha256 of the module's source, first 12 hex digits. */
  version: string;
  /** The plugin's module file as the loader names it; undefined for a built-in. */
  file?: string;
}

/** A plugin that failed to load or to validate: listed with the reason, never run. */
export interface UnavailableStrategy {
  /** The id it declares when that much could be read, else its file name without the extension. */
  id: string;
  source: 'plugin';
  /** sha256 of the module's source, first 12 hex digits; null when the file could not be read. */
  version: string | null;
  file: string;
  /** `file:line:column: message`. */
  error: string;
}

export type StrategyListing = (RegisteredStrategy & { available: true }) | (UnavailableStrategy & { available: false });

/**
 * The strategies of one process (or of one test's worker): the built-ins plus the plugins the loader added, and the
 * plugins it could not add. Ids are unique among the available ones; the loader refuses a plugin whose id is taken.
 */
export class StrategyRegistry {
  private readonly available = new Map<string, RegisteredStrategy>();
  private readonly failed: UnavailableStrategy[] = [];

  constructor(entries: readonly RegisteredStrategy[] = []) {
    for (const entry of entries) this.add(entry);
  }

  add(entry: RegisteredStrategy): void {
    const id = entry.strategy.id;
    const holder = this.available.get(id);
    if (holder)
      throw new RangeError(`strategy id ${JSON.stringify(id)}: got a second strategy, expected one per id (${describeHolder(holder)})`);
    this.available.set(id, entry);
  }

  addUnavailable(entry: UnavailableStrategy): void {
    this.failed.push(entry);
  }

  has(id: string): boolean {
    return this.available.has(id);
  }

  get(id: string): RegisteredStrategy | undefined {
    return this.available.get(id);
  }

  /** Ids of the strategies that can run: built-ins first, then plugins in the order they were loaded. */
  ids(): string[] {
    return [...this.available.keys()];
  }

  /** The unavailable plugins that claim `id` (by declaration or file name). */
  unavailable(id?: string): UnavailableStrategy[] {
    return id === undefined ? [...this.failed] : this.failed.filter((entry) => entry.id === id);
  }

  /** Every strategy, available or not: built-ins first, then plugins by file name. */
  list(): StrategyListing[] {
    const listings: StrategyListing[] = [
      ...[...this.available.values()].map((entry) => ({ ...entry, available: true as const })),
      ...this.failed.map((entry) => ({ ...entry, available: false as const })),
    ];
    const sourceRank = (listing: StrategyListing) => (listing.source === 'builtin' ? 0 : 1);
    return listings.sort((a, b) => sourceRank(a) - sourceRank(b) || (a.file ?? '').localeCompare(b.file ?? ''));
  }

  /** Who holds `id`, in words, for messages about a clash. */
  describeHolder(id: string): string | undefined {
    const holder = this.available.get(id);
    return holder && describeHolder(holder);
  }
}

function describeHolder(holder: RegisteredStrategy): string {
  return holder.source === 'builtin' ? 'a built-in strategy' : `the plugin ${holder.file}`;
}
