/**
 * Cleanup with short TTLs on the real stack: each task's and sweep's timer workflow deletes it at expiry unless
 * pinned; the sweep deletes whatever else expired, keeps fresh and pinned tasks, and is harmless twice;
 * the schedule is created idempotently; the by-hand script honours --dry-run.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { ensureCleanupSchedule } from '../../src/schedules';
import { sweepCleanupWorkflowId } from '../../src/contracts/sweep';
import { CLEANUP_SCHEDULE_ID, taskCleanupWorkflowId } from '../../src/contracts/task';
import type { CleanupReport } from '../../src/contracts/cleanup';
import { cleanupSweepWorkflow } from '../../src/workflows/cleanupWorkflows';
import { startHarness, type Harness } from './harness';

const TTL_SECONDS = 3;
const ttlDays = String(TTL_SECONDS / 86_400);

let shortLived: Harness;
let longLived: Harness;

beforeAll(async () => {
  shortLived = await startHarness({ env: { TASK_RESULT_TTL_DAYS: ttlDays, FAILED_TASK_TTL_DAYS: ttlDays } });
  longLived = await startHarness();
});

afterAll(async () => {
  await shortLived?.stop();
  await longLived?.stop();
});

async function completedTask(harness: Harness): Promise<string> {
  const submitted = await request(harness.app)
    .post('/api/backtests')
    .send({
      strategy: 'volume_long_candle',
      symbols: ['XRP_KRW'],
      start_date: '2024-01-01',
      end_date: '2024-03-31',
      timeframe: '1d',
    });
  expect(submitted.status).toBe(202);
  const taskId = submitted.body.task_id;
  await harness.client.workflow.getHandle(taskId).result();
  return taskId;
}

const taskExists = async (harness: Harness, taskId: string) => ({
  row: (await harness.repository.get(taskId)) !== undefined,
  files: existsSync(join(harness.config.DATA_ROOT, 'tasks', taskId)),
});

async function sweep(harness: Harness, dryRun = false): Promise<CleanupReport> {
  return harness.client.workflow.execute(cleanupSweepWorkflow, {
    taskQueue: harness.config.TEMPORAL_TASK_QUEUE,
    workflowId: `sweep-test-${Date.now()}`,
    args: [{ dry_run: dryRun }],
  });
}

it('deletes an expired task at its expiry, keeps pinned and fresh ones, and sweeps idempotently', async () => {
  const expiring = await completedTask(shortLived);
  const pinned = await completedTask(shortLived);
  const fresh = await completedTask(longLived);
  expect((await request(shortLived.app).patch(`/api/backtests/${pinned}`).send({ pinned: true })).body.pinned).toBe(true);

  // Each task's own timer fires after the TTL: the unpinned one goes, the pinned one stays.
  const cleanup = (taskId: string) => shortLived.client.workflow.getHandle(taskCleanupWorkflowId(taskId)).result();
  expect(await cleanup(expiring)).toBe(true);
  expect(await cleanup(pinned)).toBe(false);
  expect(await taskExists(shortLived, expiring)).toEqual({ row: false, files: false });
  expect(await taskExists(shortLived, pinned)).toEqual({ row: true, files: true });
  expect((await request(shortLived.app).get(`/api/backtests/${expiring}/result`)).status).toBe(404);

  // Unpinned after its timer fired: only the sweep can take it now. A dry run names it and deletes nothing.
  await request(shortLived.app).patch(`/api/backtests/${pinned}`).send({ pinned: false });
  const dryRun = await sweep(shortLived, true);
  expect(dryRun.expired).toContain(pinned);
  expect(dryRun.deleted).toEqual([]);
  expect(await taskExists(shortLived, pinned)).toEqual({ row: true, files: true });

  const first = await sweep(shortLived);
  expect(first.deleted).toContain(pinned);
  expect(first.deleted).not.toContain(fresh);
  expect(await taskExists(shortLived, pinned)).toEqual({ row: false, files: false });
  const second = await sweep(shortLived);
  expect(second.deleted).toEqual([]);
  expect(await taskExists(longLived, fresh)).toEqual({ row: true, files: true });
}, 60_000);

async function completedSweep(harness: Harness): Promise<string> {
  const submitted = await request(harness.app)
    .post('/api/sweeps')
    .send({
      strategy: 'volume_long_candle',
      symbols: ['XRP_KRW'],
      start_date: '2024-01-01',
      end_date: '2024-03-31',
      timeframe: '1d',
      grid: { hold_period_bars: [1, 2, 3] },
      objective: { metric: 'total_pnl_pct' },
    });
  expect(submitted.status).toBe(202);
  await harness.client.workflow.getHandle(submitted.body.sweep_id).result();
  return submitted.body.sweep_id;
}

const sweepExists = async (harness: Harness, sweepId: string) => ({
  row: (await harness.sweeps.get(sweepId)) !== undefined,
  files: existsSync(join(harness.config.DATA_ROOT, 'sweeps', sweepId)),
});

it('deletes an expired parameter sweep at its expiry unless pinned, and sweeps up sweep directories without a row', async () => {
  const expiring = await completedSweep(shortLived);
  const pinned = await completedSweep(shortLived);
  expect((await request(shortLived.app).patch(`/api/sweeps/${pinned}`).send({ pinned: true })).body.pinned).toBe(true);
  const cleanup = (sweepId: string) => shortLived.client.workflow.getHandle(sweepCleanupWorkflowId(sweepId)).result();
  expect(await cleanup(expiring)).toBe(true);
  expect(await cleanup(pinned)).toBe(false);
  expect(await sweepExists(shortLived, expiring)).toEqual({ row: false, files: false });
  expect(await sweepExists(shortLived, pinned)).toEqual({ row: true, files: true });
  expect((await request(shortLived.app).get(`/api/sweeps/${expiring}`)).status).toBe(404);

  // A sweep whose row is gone (deleted by hand, or never written), and one whose plan was written moments ago.
  const orphan = await completedSweep(shortLived);
  await shortLived.sweeps.delete(orphan);
  const starting = randomUUID();
  await new Promise((resolve) => setTimeout(resolve, TTL_SECONDS * 1000 + 200));
  mkdirSync(join(shortLived.config.DATA_ROOT, 'sweeps', starting), { recursive: true });
  await writeFile(join(shortLived.config.DATA_ROOT, 'sweeps', starting, 'plan.json'), '{}');
  await request(shortLived.app).patch(`/api/sweeps/${pinned}`).send({ pinned: false });

  const report = await sweep(shortLived);
  expect(report.sweeps_deleted.sort()).toEqual([orphan, pinned].sort());
  expect(report.sweeps_without_row).toEqual([orphan]);
  expect(await sweepExists(shortLived, orphan)).toEqual({ row: false, files: false });
  expect(await sweepExists(shortLived, pinned)).toEqual({ row: false, files: false });
  expect(existsSync(join(shortLived.config.DATA_ROOT, 'sweeps', starting, 'plan.json'))).toBe(true);
}, 60_000);

it('runs the sweep by hand with --dry-run without deleting', async () => {
  const taskId = await completedTask(shortLived);
  await request(shortLived.app).patch(`/api/backtests/${taskId}`).send({ pinned: true });
  await new Promise((resolve) => setTimeout(resolve, TTL_SECONDS * 1000 + 200));
  await request(shortLived.app).patch(`/api/backtests/${taskId}`).send({ pinned: false });
  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/cleanup.ts', ...args], {
      env: { ...process.env, DATA_ROOT: shortLived.config.DATA_ROOT, DATABASE_URL: shortLived.config.DATABASE_URL },
    });
  const dry = await run(['--dry-run']);
  expect(dry.stdout).toMatch(/would delete/);
  expect(dry.stdout).toContain(taskId);
  expect(await taskExists(shortLived, taskId)).toEqual({ row: true, files: true });
  const real = await run([]);
  expect(real.stdout).toContain(taskId);
  expect(await taskExists(shortLived, taskId)).toEqual({ row: false, files: false });
}, 60_000);

it('creates the cleanup schedule once and updates it on later starts', async () => {
  const queue = shortLived.config.TEMPORAL_TASK_QUEUE;
  // A worker process of another test file may have created it on this shared server.
  await shortLived.client.schedule
    .getHandle(CLEANUP_SCHEDULE_ID)
    .delete()
    .catch(() => undefined);
  try {
    expect(await ensureCleanupSchedule(shortLived.client, '0 3 * * *', queue)).toBe('created');
    expect(await ensureCleanupSchedule(shortLived.client, '30 4 * * *', queue)).toBe('updated');
    const description = await shortLived.client.schedule.getHandle(CLEANUP_SCHEDULE_ID).describe();
    expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 4, end: 4, step: 1 }] });
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'cleanupSweepWorkflow', taskQueue: queue });
  } finally {
    await shortLived.client.schedule.getHandle(CLEANUP_SCHEDULE_ID).delete();
  }
});
