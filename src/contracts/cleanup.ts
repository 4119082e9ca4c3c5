/** What the cleanup workflows exchange with their activities (DESIGN.md section 6). */

export interface CleanupReport {
  /** Tasks that were expired and unpinned at the time of the sweep (with or without a row). */
  expired: string[];
  /** The subset actually deleted (empty on a dry run). */
  deleted: string[];
  /** Expired task directories that had no row (their start or end was never recorded). */
  without_row: string[];
  /** Parameter sweeps: expired and unpinned, and the subset deleted (directory and row). */
  sweeps_expired: string[];
  sweeps_deleted: string[];
  /** Expired sweep directories that had no row. */
  sweeps_without_row: string[];
}
