/**
 * Which backups to keep (BACKUP_RETENTION, DESIGN.md section 13): `7d,3m,3y` keeps the newest backup of
 * each of the last 7 days, of each of the last 3 months and of each of the last 3 years.
 *
 * The exact rule. Backups are named by their UTC date (`backups/<YYYY-MM-DD>/`, one per day); `today` is
 * the date of the backup just taken. A period is a calendar day, month or year in UTC; "the last N days"
 * are today and the N - 1 days before it, "the last N months" the month of today and the N - 1 months
 * before it, likewise for years. For every such period that holds at least one backup, the newest backup
 * in it is kept; a backup is kept when any of the three rules keeps it, and every other backup dated up
 * to `today` is removed. Backups dated after `today` (a clock set back, a manual backup with a future
 * date) are kept: nothing is deleted that the rule cannot place. A period without any backup keeps
 * nothing and is not replaced by an older one, so a pause in backups shortens what is kept rather than
 * keeping backups older than the periods. With daily backups and `7d,3m,3y` that is: the last 7 days,
 * the last day of each of the two months before this one, and the last day of each of the two years
 * before this one (this month's and this year's newest is today's).
 */

export interface BackupRetention {
  days: number;
  months: number;
  years: number;
}

const PART_PATTERN = /^(\d+)([dmy])$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `7d,3m,3y` (any order, each unit at most once, missing units = 0); throws with the reason. */
export function parseBackupRetention(text: string): BackupRetention {
  const retention: BackupRetention = { days: 0, months: 0, years: 0 };
  const seen = new Set<string>();
  for (const part of text.split(',').map((piece) => piece.trim())) {
    const match = PART_PATTERN.exec(part);
    if (!match) throw new Error(`"${part}" is not <count>d, <count>m or <count>y (e.g. 7d,3m,3y), in ${JSON.stringify(text)}`);
    const unit = { d: 'days', m: 'months', y: 'years' }[match[2] as 'd' | 'm' | 'y'] as keyof BackupRetention;
    if (seen.has(unit)) throw new Error(`${unit} given twice in ${JSON.stringify(text)}`);
    seen.add(unit);
    retention[unit] = Number(match[1]);
  }
  if (retention.days + retention.months + retention.years === 0) {
    throw new Error(`${JSON.stringify(text)} keeps no backup at all, not even the one just taken`);
  }
  return retention;
}

/** True for `YYYY-MM-DD` naming a real date. */
export function isBackupDate(name: string): boolean {
  const match = DATE_PATTERN.exec(name);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === name;
}

/** Days since 1970-01-01 of a `YYYY-MM-DD`. */
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
/** Months since year 0 of a `YYYY-MM-DD`. */
const monthNumber = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
const yearNumber = (date: string) => Number(date.slice(0, 4));

/**
 * The backups (dates) that the rule keeps, as of `today`; the rest of `dates` up to today are to be removed.
 * `dates` may be in any order and hold names that are not dates: those are left out of both answers.
 */
export function selectBackupsToKeep(
  dates: readonly string[],
  today: string,
  retention: BackupRetention,
): { keep: string[]; remove: string[] } {
  if (!isBackupDate(today)) throw new Error(`today must be YYYY-MM-DD, got ${JSON.stringify(today)}`);
  const valid = [...new Set(dates.filter(isBackupDate))].sort();
  const past = valid.filter((date) => date <= today);
  const keep = new Set(valid.filter((date) => date > today));
  const rules: Array<[number, (date: string) => number]> = [
    [retention.days, dayNumber],
    [retention.months, monthNumber],
    [retention.years, yearNumber],
  ];
  for (const [count, periodOf] of rules) {
    const newestByPeriod = new Map<number, string>();
    // Ascending order: the last date seen in a period is its newest.
    for (const date of past) {
      if (periodOf(today) - periodOf(date) < count) newestByPeriod.set(periodOf(date), date);
    }
    for (const date of newestByPeriod.values()) keep.add(date);
  }
  return { keep: valid.filter((date) => keep.has(date)), remove: past.filter((date) => !keep.has(date)) };
}
