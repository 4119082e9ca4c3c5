import { isBackupDate, parseBackupRetention, selectBackupsToKeep } from '../../../src/storage/backupRetention';

const DEFAULT = { days: 7, months: 3, years: 3 };

/** Every date from `first` to `last`, inclusive. */
function days(first: string, last: string): string[] {
  const dates: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += 86_400_000) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

describe('parseBackupRetention', () => {
  it('reads days, months and years in any order, missing units as 0', () => {
    expect(parseBackupRetention('7d,3m,3y')).toEqual(DEFAULT);
    expect(parseBackupRetention('2y, 14d')).toEqual({ days: 14, months: 0, years: 2 });
  });

  it.each([
    ['7days', '"7days" is not <count>d, <count>m or <count>y'],
    ['7d,1w', '"1w" is not'],
    ['7d,3d', 'days given twice'],
    ['0d', 'keeps no backup at all'],
    ['', '"" is not'],
  ])('refuses %j', (text, message) => {
    expect(() => parseBackupRetention(text)).toThrow(message);
  });
});

describe('selectBackupsToKeep', () => {
  it('keeps the newest backup of each of the last 7 days, 3 months and 3 years', () => {
    const dates = [
      '2023-06-30',
      '2023-12-31',
      '2024-12-30',
      '2025-12-31',
      '2026-01-31',
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      ...days('2026-03-05', '2026-03-10'),
    ];
    const { keep, remove } = selectBackupsToKeep(dates, '2026-03-10', DEFAULT);
    expect(keep).toEqual([
      // years 2024 and 2025 (2026's newest is today's)
      '2024-12-30',
      '2025-12-31',
      // months 2026-01 and 2026-02
      '2026-01-31',
      '2026-02-28',
      // days 2026-03-04 .. 2026-03-10 (those that have a backup)
      ...days('2026-03-05', '2026-03-10'),
    ]);
    expect(remove).toEqual(['2023-06-30', '2023-12-31', '2026-02-27', '2026-03-01']);
  });

  it('after four years of daily backups with pruning after each, keeps 7 days, 2 more month ends and 2 more year ends', () => {
    let stored: string[] = [];
    for (const today of days('2023-01-01', '2026-11-26')) {
      stored.push(today);
      stored = selectBackupsToKeep(stored, today, DEFAULT).keep;
    }
    expect(stored).toEqual(['2024-12-31', '2025-12-31', '2026-09-30', '2026-10-31', ...days('2026-11-20', '2026-11-26')]);
  });

  it('keeps backups dated after today and ignores names that are not dates', () => {
    const { keep, remove } = selectBackupsToKeep(['2026-01-01', '2026-05-01', 'manual', '2026-02-30'], '2026-04-01', {
      days: 1,
      months: 0,
      years: 0,
    });
    expect(keep).toEqual(['2026-05-01']);
    expect(remove).toEqual(['2026-01-01']);
  });

  it('validates dates', () => {
    expect(isBackupDate('2026-02-28')).toBe(true);
    expect(isBackupDate('2026-02-29')).toBe(false);
    expect(isBackupDate('2026-2-28')).toBe(false);
    expect(() => selectBackupsToKeep([], 'today', DEFAULT)).toThrow('today must be YYYY-MM-DD, got "today"');
  });
});
