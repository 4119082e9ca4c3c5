/**
 * Reading a finished sweep: its manifest, and for the API a sorted, filtered page of rows of sweep_results (one
 * symbol) or combo_summary (every combination), and a heatmap of a metric over two swept parameters.
 * Decoded tables are kept per file version, so paging and re-sorting in the web page decode nothing again.
 */
import { DataType, type Table, type Vector } from 'apache-arrow';
import { VersionedCache } from '../data/versionedCache';
import { parquetToTable } from '../shared/parquet';
import { sweepDirectory, type SweepBest } from '../contracts/sweep';
import { BlobNotFoundError, type BlobStore } from './providers';

/** The parts of a sweep's manifest.json its readers use. */
export interface SweepManifest {
  status: 'completed' | 'failed';
  metadata: { finished_at: string };
  error: { message: string | null };
  result_files: { name: string }[];
  sweep?: {
    best: SweepBest | null;
    materialized_tasks: string[];
    efficiency: number | null;
    stitched: Record<string, unknown>[];
  };
}

/** A sweep's manifest.json, or undefined while it has none (still running, or deleted). */
export async function readSweepManifest(store: BlobStore, sweepId: string): Promise<SweepManifest | undefined> {
  try {
    return JSON.parse((await store.get(`${sweepDirectory(sweepId)}/manifest.json`)).toString('utf8'));
  } catch (error) {
    if (error instanceof BlobNotFoundError) return undefined;
    throw error;
  }
}

export type SweepTableName = 'sweep_results' | 'combo_summary' | 'walk_forward' | 'oos_curve';

/** Roughly 8 bytes per cell: the tables are numeric. */
const decoded = new VersionedCache<Table>({ maxBytes: 512 * 1024 * 1024, sizeOf: (table) => table.numRows * table.numCols * 8 });

/** A sweep's table, decoded (cached while the file is unchanged); undefined when the sweep has no such file. */
export async function openSweepTable(store: BlobStore, sweepId: string, name: SweepTableName): Promise<Table | undefined> {
  const key = `${sweepDirectory(sweepId)}/${name}.parquet`;
  const info = await store.stat(key);
  if (!info) return undefined;
  return decoded.get(key, info.etag, async () => parquetToTable(await store.get(key)));
}

export type Cell = number | string | boolean | null;

/** A cell as JSON: int64 as a number, timestamps as ISO 8601, NaN as null. */
function cellOf(vector: Vector, row: number): Cell {
  const value = vector.get(row);
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (DataType.isTimestamp(vector.type)) return new Date(value as number).toISOString();
  if (typeof value === 'number' && Number.isNaN(value)) return null;
  return value as Cell;
}

/** Sort keys: numbers as they are, booleans 0/1, text by rank; NaN for null (always last). */
function sortKeys(vector: Vector, rows: Int32Array): Float64Array {
  const keys = new Float64Array(rows.length);
  if (DataType.isUtf8(vector.type)) {
    const distinct = [...new Set(Array.from(rows, (row) => vector.get(row) as string | null))].filter((value) => value !== null).sort();
    rows.forEach((row, k) => {
      const value = vector.get(row);
      keys[k] = value === null ? NaN : distinct.indexOf(value);
    });
    return keys;
  }
  rows.forEach((row, k) => {
    const value = vector.get(row);
    keys[k] = value === null || value === undefined ? NaN : Number(value);
  });
  return keys;
}

export interface RowQuery {
  /** Keep rows whose column equals the value (e.g. symbol, fold). */
  where?: Record<string, Cell>;
  /** Keep rows with at least this many closed trades (sweep_results only). */
  minTrades?: number;
  sort: string;
  descending: boolean;
  limit: number;
  offset: number;
}

export interface RowPage {
  columns: string[];
  rows: Record<string, Cell>[];
  total: number;
}

/** The rows matching the query: filtered, sorted by one column (nulls last, ties in file order), one page. */
export function queryRows(table: Table, query: RowQuery): RowPage {
  const columns = table.schema.fields.map((field) => field.name);
  const sortVector = table.getChild(query.sort);
  if (!sortVector) throw new RangeError(`no column ${query.sort}; columns: ${columns.join(', ')}`);
  const filters = Object.entries(query.where ?? {}).map(([name, value]) => ({ vector: table.getChild(name)!, value }));
  const winning = table.getChild('winning_signals');
  const losing = table.getChild('losing_signals');
  const kept: number[] = [];
  // rows that pass every filter
  for (let row = 0; row < table.numRows; row++) {
    if (filters.some(({ vector, value }) => cellOf(vector, row) !== value)) continue;
    if (query.minTrades !== undefined && winning && losing && (winning.get(row) as number) + (losing.get(row) as number) < query.minTrades)
      continue;
    kept.push(row);
  }
  const rows = Int32Array.from(kept);
  const keys = sortKeys(sortVector, rows);
  const direction = query.descending ? -1 : 1;
  const order = Array.from(rows.keys()).sort((a, b) => {
    const [aNull, bNull] = [Number.isNaN(keys[a]), Number.isNaN(keys[b])];
    if (aNull !== bNull) return aNull ? 1 : -1;
    return (aNull ? 0 : (keys[a] - keys[b]) * direction) || a - b;
  });
  const vectors = columns.map((name) => table.getChild(name)!);
  const page = order
    .slice(query.offset, query.offset + query.limit)
    .map((k) => Object.fromEntries(columns.map((name, c) => [name, cellOf(vectors[c], rows[k])])));
  return { columns, rows: page, total: rows.length };
}

const reducers = {
  max: (a: number, b: number) => Math.max(a, b),
  min: (a: number, b: number) => Math.min(a, b),
  mean: (a: number, b: number) => a + b,
};

export interface HeatmapQuery {
  x: string;
  y: string;
  metric: string;
  reduce: 'max' | 'min' | 'mean';
  where?: Record<string, Cell>;
}

/**
 * A metric over two swept parameters. Each combination's value is the mean over its rows left by the filter
 * (over symbols and folds when they are not filtered); z[y][x] then reduces (max, min or mean) those values over the
 * combinations with that x and y (the other swept parameters); null where no combination has a value.
 */
export function heatmapOf(table: Table, query: HeatmapQuery): { x_values: Cell[]; y_values: Cell[]; z: (number | null)[][] } {
  const names = [query.x, query.y, query.metric, 'combo_id'];
  const missing = names.find((name) => !table.getChild(name));
  if (missing) throw new RangeError(`no column ${missing}`);
  const [xVector, yVector, metricVector, comboVector] = names.map((name) => table.getChild(name)!);
  const filters = Object.entries(query.where ?? {}).map(([name, value]) => ({ vector: table.getChild(name)!, value }));
  const combos = new Map<Cell, { x: Cell; y: Cell; sum: number; count: number }>();
  // each row that passes the filters adds to its combination's mean
  for (let row = 0; row < table.numRows; row++) {
    if (filters.some(({ vector, value }) => cellOf(vector, row) !== value)) continue;
    const value = cellOf(metricVector, row);
    if (typeof value !== 'number') continue;
    const id = cellOf(comboVector, row);
    const combo = combos.get(id) ?? { x: cellOf(xVector, row), y: cellOf(yVector, row), sum: 0, count: 0 };
    combo.sum += value;
    combo.count++;
    combos.set(id, combo);
  }
  const byValue = (a: Cell, b: Cell) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)));
  const distinct = (vector: Vector) => [...new Set(Array.from({ length: table.numRows }, (_, row) => cellOf(vector, row)))].sort(byValue);
  const xValues = distinct(xVector);
  const yValues = distinct(yVector);
  const cells = yValues.map(() => xValues.map(() => [] as number[]));
  for (const { x, y, sum, count } of combos.values()) cells[yValues.indexOf(y)][xValues.indexOf(x)].push(sum / count);
  const reduce = reducers[query.reduce];
  const z = cells.map((row) =>
    row.map((values) => (values.length === 0 ? null : values.reduce(reduce) / (query.reduce === 'mean' ? values.length : 1))),
  );
  return { x_values: xValues, y_values: yValues, z };
}
