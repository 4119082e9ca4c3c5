/** History of tasks (PostgreSQL), cancelling, pinning and deleting. */
import { WorkflowNotFoundError } from '@temporalio/client';
import { Router } from 'express';
import { historyQuerySchema, pinBodySchema, type HistoryItem, type HistoryResponse } from '../../contracts/api';
import { taskDirectory } from '../../contracts/task';
import type { BacktestResultRow } from '../../storage/database';
import type { ApiDependencies } from '../dependencies';
import { HttpError, validationError } from '../httpError';
import { rowStatus } from '../taskView';
import { parseTaskId } from './backtests';

export function presentRow(row: BacktestResultRow): HistoryItem {
  return {
    task_id: row.task_id,
    strategy: row.strategy,
    symbols: row.symbols,
    start_date: row.start_date,
    end_date: row.end_date,
    timeframe: row.timeframe,
    status: rowStatus(row),
    created_at: row.created_at,
    updated_at: row.updated_at,
    pinned: row.metadata.pinned === true,
    record_count: row.record_count,
    file_size: row.file_size,
    error: (row.metadata.error as string | undefined) ?? null,
  };
}

export function taskManagementRouter(deps: ApiDependencies): Router {
  const router = Router();

  async function rowOrNotFound(id: string): Promise<BacktestResultRow> {
    const row = await deps.repository.get(parseTaskId(id));
    if (!row) throw new HttpError(404, 'task_not_found', `no task ${id}`);
    return row;
  }

  async function isRunning(taskId: string): Promise<boolean> {
    try {
      const description = await deps.temporal.workflow.getHandle(taskId).describe();
      return description.status.name === 'RUNNING';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  router.get('/api/backtests', async (request, response) => {
    const query = historyQuerySchema.safeParse(request.query);
    if (!query.success) throw validationError(query.error, 'query');
    const { status, ...filters } = query.data;
    const { rows, total } = await deps.repository.list({
      ...filters,
      // Cancelled tasks are stored as failed with metadata.cancelled (the status constraint is the original one).
      status: status === 'cancelled' ? 'failed' : status,
      cancelled: status === 'cancelled' ? true : status === 'failed' ? false : undefined,
    });
    const body: HistoryResponse = { items: rows.map(presentRow), total, limit: filters.limit, offset: filters.offset };
    response.json(body);
  });

  router.post('/api/backtests/:id/cancel', async (request, response) => {
    const taskId = parseTaskId(request.params.id);
    if (!(await isRunning(taskId))) {
      const row = await deps.repository.get(taskId);
      if (!row) throw new HttpError(404, 'task_not_found', `no task ${taskId}`);
      throw new HttpError(409, 'task_not_running', `task ${taskId} is ${presentRow(row).status}; only a running task can be cancelled`);
    }
    await deps.temporal.workflow.getHandle(taskId).cancel();
    deps.logger.info({ task_id: taskId }, 'cancel requested');
    response.status(202).json({ task_id: taskId, status: 'cancelling' });
  });

  router.patch('/api/backtests/:id', async (request, response) => {
    const row = await rowOrNotFound(request.params.id);
    const body = pinBodySchema.safeParse(request.body ?? {});
    if (!body.success) throw validationError(body.error, 'update');
    await deps.repository.setPinned(row.task_id, body.data.pinned);
    response.json(presentRow((await deps.repository.get(row.task_id))!));
  });

  router.delete('/api/backtests/:id', async (request, response) => {
    const row = await rowOrNotFound(request.params.id);
    if (await isRunning(row.task_id)) {
      throw new HttpError(409, 'task_running', `task ${row.task_id} is still running; cancel it first`);
    }
    await deps.store.remove(taskDirectory(row.task_id));
    await deps.repository.delete(row.task_id);
    deps.logger.info({ task_id: row.task_id }, 'task deleted');
    response.status(204).end();
  });

  return router;
}
