/** How numbers, times and sizes read on the page. A missing value is an em dash. */

export const MISSING = '—';

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const hundredsFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const smallFormat = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return MISSING;
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (Number.isInteger(value)) return integerFormat.format(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return integerFormat.format(value); // cents of a large amount are noise in a table
  return magnitude >= 100 ? hundredsFormat.format(value) : smallFormat.format(value);
}

/** `2024-03-01T09:00:00.000Z` -> `2024-03-01 09:00` (UTC, as the data is). */
export function formatTimestamp(value: string | null | undefined): string {
  if (!value) return MISSING;
  return value.replace('T', ' ').slice(0, 16);
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KiB`;
  return `${(size / 1024 / 1024).toFixed(1)} MiB`;
}

export const formatPercent = (fraction: number) => `${Math.round(fraction * 100)}%`;

/** `total_pnl_pct` -> `total pnl pct`: column headings straight from the API's field names. */
export const humanize = (name: string) => name.replace(/_/g, ' ');

/** A time left: `< 1 s`, `45 s`, `3 min 20 s`, `2 h 5 min`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return MISSING;
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 1) return '< 1 s';
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
}

/** A cell or parameter value: numbers formatted, booleans and text as they are, null as an em dash. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return MISSING;
  return typeof value === 'number' ? formatNumber(value) : String(value);
}

/** Parameters on one line: `volume_window 20 · breakout_buffer 0.01`. */
export const formatParams = (params: Record<string, unknown>) =>
  Object.entries(params)
    .map(([name, value]) => `${name} ${formatValue(value)}`)
    .join(' · ');
