/** What the backup workflow exchanges with its activities and its callers (DESIGN.md section 13). */

export interface BackupWorkflowInput {
  /** The backup's date, `YYYY-MM-DD` (UTC); default: the UTC date the workflow started (the schedule's run). */
  date?: string;
}

/** Files and bytes a step copied or found already in place. */
export interface BackupTally {
  files: number;
  bytes: number;
  copied: number;
  skipped: number;
}

export interface BackupPlan {
  /** The backup of this date was finished before: nothing to copy, only pruning. */
  already_finished: boolean;
  /** Source prefixes to copy (tasks, sweeps, symbol folders). */
  prefixes: string[];
  tables: number;
  rows: number;
}

export interface BackupWorkflowResult extends BackupTally {
  date: string;
  /** Files listed in the finished backup's manifest. */
  manifest_files: number;
  /** Backups left after pruning, and those removed, by date. */
  kept: string[];
  removed: string[];
}
