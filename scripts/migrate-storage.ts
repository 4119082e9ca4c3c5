/** Copies market data, task and sweep directories and backups from one store to another (src/storage/migrateStorage.ts). */
import { loadConfig } from '../src/config';
import { prepareStore } from '../src/services';
import { formatMigrationReport, migrateStorage } from '../src/storage/migrateStorage';
import { runScript, UsageError } from './lib/script';
import { closeStore, STORE_OPTIONS_USAGE, storeFromOptions, storeOptions } from './lib/storeOptions';

const USAGE = `
usage: npm run migrate-storage -- --from local|s3 --to local|s3 [store options] [--only PREFIX,...]

Copies every symbol folder (market data), tasks/, sweeps/ and backups/ from one store to the other,
checks each file's MD5 after the copy, skips files the target already holds with the same MD5 (so an
interrupted run resumes), and prints a report; exits 1 when a file failed. Stop the workers (and the
API) first, or run it again once they are stopped, to catch what they wrote meanwhile.
Each side's settings default to the environment (STORAGE_PROVIDER, DATA_ROOT, S3_*), e.g.
  STORAGE_PROVIDER=local DATA_ROOT=./data S3_BUCKET=backtests S3_ENDPOINT=http://127.0.0.1:9000 \\
    S3_FORCE_PATH_STYLE=true npm run migrate-storage -- --from local --to s3
${STORE_OPTIONS_USAGE('from', 'the store to copy from')}
${STORE_OPTIONS_USAGE('to', 'the store to copy into (its bucket is created when S3_CREATE_BUCKET=true)')}
  --only P1,P2        only these top-level prefixes (e.g. tasks,BTC_KRW)
`;

const options = {
  ...storeOptions('from'),
  ...storeOptions('to'),
  // Named again so that their values are typed (the spread's keys are computed).
  from: { type: 'string' },
  to: { type: 'string' },
  only: { type: 'string' },
} as const;

runScript('migrate-storage', USAGE, { options }, async ({ values }) => {
  if (!values.from || !values.to) throw new UsageError('--from and --to are required');
  const from = storeFromOptions('from', values);
  const to = storeFromOptions('to', values);
  try {
    await prepareStore(to, loadConfig());
    console.log(`migrating ${from.description} -> ${to.description} ...`);
    let done = 0;
    const report = await migrateStorage({
      from,
      to,
      prefixes: values.only?.split(',').map((prefix) => prefix.trim()),
      onFile: () => {
        if (++done % 500 === 0) console.log(`  ${done} files ...`);
      },
    });
    console.log(formatMigrationReport(report));
    return report.failed.length > 0 ? 1 : 0;
  } finally {
    closeStore(from);
    closeStore(to);
  }
});
