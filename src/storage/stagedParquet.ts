/**
 * A result table's Parquet file from the Arrow IPC files its symbols staged: the persist step's CPU-bound part,
 * run on a thread of the worker's pool (one table per thread, side by side) or, without a pool, in place.
 */
import { tableFromIPC } from 'apache-arrow';
import { tableToParquet, type ParquetCompression } from '../shared/parquet';

export interface EncodedTable {
  bytes: Uint8Array;
  rows: number;
}

/** The parts concatenated in the order given (the request's symbol order), as one Parquet file. */
export function parquetOfStagedParts(parts: Uint8Array[], compression: ParquetCompression): EncodedTable {
  if (parts.length === 0) throw new RangeError('no staged part to encode');
  const tables = parts.map((part) => tableFromIPC(part));
  const table = tables[0].concat(...tables.slice(1));
  return { bytes: tableToParquet(table, compression), rows: table.numRows };
}

export type StagedTableEncoder = (parts: Uint8Array[], compression: ParquetCompression) => Promise<EncodedTable>;

export const encodeInPlace: StagedTableEncoder = async (parts, compression) => parquetOfStagedParts(parts, compression);
