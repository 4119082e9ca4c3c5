/**
 * `npm run migrate-storage`: a data root with real results (backtests run through the harness), a sweep
 * directory and market data is copied to an S3 server (moto), resuming a run that was cut short; then an
 * API on the S3 store answers exactly what the API on the local store answers, downloads included.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { freePort, startS3Server, type RunningService } from '../../scripts/lib/devServices';
import { writeSampleData } from '../../src/data/sampleData';
import { md5 } from '../../src/shared/checksum';
import { migrateStorage } from '../../src/storage/migrateStorage';
import { LocalBlobStore, S3BlobStore } from '../../src/storage/providers';
import { startBacktestWorkflow, startHarness, type Harness } from './harness';
import { testAwsEnvironment } from './awsCredentials';

const BUCKET = 'migrated';
const dataRoot = join(process.env.TEST_SCRATCH!, `migrate-${randomUUID()}`);
const sweepId = randomUUID();
let moto: RunningService;
let local: Harness;
let remote: Harness;
let s3: S3BlobStore;
const taskIds: string[] = [];

beforeAll(async () => {
  moto = await startS3Server({ port: await freePort() });
  s3 = new S3BlobStore({ endpoint: moto.address, bucket: BUCKET, prefix: 'platform', region: 'us-east-1', forcePathStyle: true });
  const source = new LocalBlobStore(dataRoot);
  await writeSampleData({
    store: source,
    symbols: ['BTC_KRW', 'ETH_KRW'],
    timeframes: ['1d', '1h'],
    startDate: '2024-01-01',
    endDate: '2024-12-31',
  });
  local = await startHarness({ env: { DATA_ROOT: dataRoot } });
  for (const [symbols, timeframe] of [
    [['BTC_KRW', 'ETH_KRW'], '1d'],
    [['ETH_KRW'], '1h'],
  ] as const) {
    const handle = await startBacktestWorkflow(local, {
      strategy: 'volume_long_candle',
      symbols: [...symbols],
      start_date: '2024-01-01',
      end_date: '2024-12-31',
      timeframe,
    });
    await handle.result();
    taskIds.push(handle.workflowId);
  }
  await source.put(`sweeps/${sweepId}/manifest.json`, JSON.stringify({ sweep_id: sweepId, status: 'completed' }));
  await source.put(`sweeps/${sweepId}/combo_summary.parquet`, new Uint8Array([80, 65, 82, 49, 9, 9, 80, 65, 82, 49]));
}, 120_000);

afterAll(async () => {
  await remote?.stop();
  await local?.stop();
  s3?.destroy();
  await moto?.stop();
});

it('copies everything to S3, verified, resuming a cut-short run', async () => {
  // A first run cut short: only the task directories arrived, and one file arrived damaged.
  await s3.ensureBucket();
  const first = await migrateStorage({ from: local.store, to: s3, prefixes: ['tasks'] });
  expect(first.failed).toEqual([]);
  const damaged = `tasks/${taskIds[0]}/symbol_summary.parquet`;
  await s3.put(damaged, 'damaged');

  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/migrate-storage.ts',
      '--from',
      'local',
      '--from-root',
      dataRoot,
      '--to',
      's3',
      '--to-bucket',
      BUCKET,
      '--to-prefix',
      'platform',
      '--to-endpoint',
      moto.address,
      '--to-path-style',
    ],
    { cwd: join(__dirname, '..', '..'), env: { ...process.env, ...testAwsEnvironment } },
  );
  console.log(stdout);
  const counted = (label: string) => Number(new RegExp(`${label}: (\\d+)`).exec(stdout)?.[1]);
  expect(stdout).toContain(`migrated local ${dataRoot} -> s3://${BUCKET}/platform at ${moto.address}`);
  expect(stdout).toContain('prefixes: tasks, sweeps, BTC_KRW, ETH_KRW');
  // Everything but the damaged file was already there from the first run.
  expect(counted('skipped \\(already there with the same MD5\\)')).toBe(first.files - 1);
  expect(counted('copied and verified')).toBe(counted('files') - first.files + 1);
  expect(counted('failed')).toBe(0);

  for await (const object of local.store.listRecursive('')) {
    if (/^(tasks|sweeps|[A-Z0-9]+_[A-Z0-9]+)\//.test(object.key))
      expect(md5(await s3.get(object.key))).toBe(md5(await local.store.get(object.key)));
  }

  // And back, into an empty folder.
  const back = new LocalBlobStore(join(process.env.TEST_SCRATCH!, `back-${randomUUID()}`));
  const returned = await migrateStorage({ from: s3, to: back });
  expect(returned).toMatchObject({ files: counted('files'), copied: counted('files'), skipped: 0, failed: [] });
}, 120_000);

it('serves the same answers from the S3 store as from the local one', async () => {
  remote = await startHarness({
    env: {
      DATA_ROOT: join(process.env.TEST_SCRATCH!, `empty-${randomUUID()}`),
      STORAGE_PROVIDER: 's3',
      S3_ENDPOINT: moto.address,
      S3_BUCKET: BUCKET,
      S3_PREFIX: 'platform',
      S3_FORCE_PATH_STYLE: 'true',
    },
  });
  expect(remote.store.description).toBe(`s3://${BUCKET}/platform at ${moto.address}`);
  const both = async (path: string) => {
    const [fromLocal, fromS3] = await Promise.all([request(local.app).get(path), request(remote.app).get(path)]);
    expect({ path, status: fromS3.status }).toEqual({ path, status: 200 });
    expect(fromS3.body).toEqual(fromLocal.body);
    return fromS3;
  };
  await both('/api/data/symbols');
  const history = await both('/api/backtests?limit=200');
  expect(history.body.items.map((item: { task_id: string }) => item.task_id)).toEqual(expect.arrayContaining(taskIds));
  for (const taskId of taskIds) {
    const task = await both(`/api/backtests/${taskId}`);
    expect(task.body).toMatchObject({ status: 'completed', result_path: `tasks/${taskId}` });
    const result = await both(`/api/backtests/${taskId}/result?max_points=50`);
    expect(result.body.trades.total).toBeGreaterThan(0);
    for (const file of result.body.manifest.result_files as { name: string; checksum: string }[]) {
      const download = await request(remote.app)
        .get(`/api/backtests/${taskId}/files/${file.name}`)
        .buffer(true)
        .parse((response, done) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => done(null, Buffer.concat(chunks)));
        });
      expect({ name: file.name, status: download.status, md5: md5(download.body) }).toEqual({
        name: file.name,
        status: 200,
        md5: file.checksum,
      });
    }
  }
}, 120_000);
