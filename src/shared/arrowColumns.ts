/**
 * Arrow columns built straight from typed arrays, for the result tables: one allocation per column, no
 * per-row objects (a million curve rows cost a handful of allocations).
 */
import { Data, Float64, makeData, RecordBatch, Schema, Struct, Table, Utf8 } from 'apache-arrow';

export function epochMsToMicros(epochMs: number): bigint {
  return BigInt(Math.round(epochMs * 1000));
}

export function rowNumbers(length: number): Int32Array {
  return Int32Array.from({ length }, (_, i) => i);
}

/** The validity bitmap of a column of `length` rows whose rows `isNull` are null, and their count. */
export function nullsWhere(length: number, isNull: (row: number) => boolean): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < length; i++) {
    if (isNull(i)) nullCount++;
    else nullBitmap[i >> 3] |= 1 << (i & 7);
  }
  return { nullBitmap, nullCount };
}

/** A Float64 column over `values`; with `nanIsNull`, NaN entries become nulls. */
export function float64Data(values: Float64Array, nanIsNull = false): Data<Float64> {
  const length = values.length;
  if (!nanIsNull) return makeData({ type: new Float64(), length, data: values });
  return makeData({ type: new Float64(), length, data: values, ...nullsWhere(length, (i) => Number.isNaN(values[i])) });
}

/** A Utf8 column whose row i is `values[codes[i]]`: each distinct value is encoded to UTF-8 once. */
export function utf8Data(values: readonly string[], codes: Int32Array): Data<Utf8> {
  const encoder = new TextEncoder();
  const encoded = values.map((value) => encoder.encode(value));
  const length = codes.length;
  const valueOffsets = new Int32Array(length + 1);
  for (let i = 0; i < length; i++) valueOffsets[i + 1] = valueOffsets[i] + encoded[codes[i]].length;

  // Rows repeat a value in long runs (a symbol, "buy", mostly "closed"): per run, one copy of the
  // value, then copies of what is already written, doubling each time.
  const bytes = new Uint8Array(valueOffsets[length]);
  for (let runStart = 0, runEnd = 0; runStart < length; runStart = runEnd) {
    const code = codes[runStart];
    while (runEnd < length && codes[runEnd] === code) runEnd++;
    const from = valueOffsets[runStart];
    const to = valueOffsets[runEnd];
    bytes.set(encoded[code], from);
    for (let filled = from + encoded[code].length; filled < to;) {
      const copied = Math.min(filled - from, to - filled);
      bytes.copyWithin(filled, from, from + copied);
      filled += copied;
    }
  }
  return makeData({ type: new Utf8(), length, valueOffsets, data: bytes });
}

export function tableOf(schema: Schema, length: number, columns: Data[]): Table {
  const struct = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: columns });
  return new Table(schema, new RecordBatch(schema, struct));
}
