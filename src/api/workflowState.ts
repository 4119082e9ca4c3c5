/**
 * What the API reads about a workflow from Temporal, quickly whatever the workers do: its description, a
 * query answer that is waited for only briefly (a slower one still lands in a cache for the next GET), and
 * whether its work waits for a worker.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import type { QueryDefinition } from '@temporalio/workflow';
import { isDatabaseOutage } from '../storage/database';

/** How long a GET waits for a query; a slower answer still lands in the cache for the next GET. */
const QUERY_WAIT_MS = 120;
/** How long the query itself may take. */
const QUERY_DEADLINE_MS = 3000;
/** Work scheduled this long without a worker taking it counts as waiting. */
const WAITING_AFTER_MS = 1000;
const MAX_REMEMBERED = 1000;

/** The last answer each workflow gave, for GETs that cannot wait for a fresh one. */
const lastAnswers = new Map<string, unknown>();

function remember(workflowId: string, answer: unknown): void {
  lastAnswers.delete(workflowId);
  lastAnswers.set(workflowId, answer);
  if (lastAnswers.size > MAX_REMEMBERED) lastAnswers.delete(lastAnswers.keys().next().value!);
}

/** The last answer remembered, without asking. */
export const rememberedAnswer = <T>(workflowId: string) => lastAnswers.get(workflowId) as T | undefined;

/** The query's answer if it comes within QUERY_WAIT_MS, else the last one remembered. */
export async function quickQuery<T>(temporal: Client, workflowId: string, query: QueryDefinition<T>): Promise<T | undefined> {
  const answer = temporal.connection
    .withDeadline(Date.now() + QUERY_DEADLINE_MS, () => temporal.workflow.getHandle(workflowId).query(query))
    .then((value) => {
      remember(workflowId, value);
      return value;
    })
    .catch(() => undefined);
  const stopWaiting = new AbortController();
  const wait = delay(QUERY_WAIT_MS, undefined, { signal: stopWaiting.signal }).catch(() => undefined);
  const first = await Promise.race([answer, wait]);
  stopWaiting.abort();
  return first ?? rememberedAnswer<T>(workflowId);
}

export async function describeWorkflow(temporal: Client, workflowId: string): Promise<WorkflowExecutionDescription | undefined> {
  try {
    return await temporal.workflow.getHandle(workflowId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

export const isRunning = (description: WorkflowExecutionDescription | undefined) =>
  description?.status.name === 'RUNNING' || description?.status.name === 'CONTINUED_AS_NEW';

/**
 * A workflow's description and its row, read side by side. While PostgreSQL is down a running workflow is described
 * without its row (undefined); anything else needs the row (an end state: pin, expiry), so the outage is thrown.
 */
export async function describeWithRow<Row>(
  temporal: Client,
  workflowId: string,
  readRow: () => Promise<Row | undefined>,
): Promise<{ description: WorkflowExecutionDescription | undefined; row: Row | undefined; running: boolean }> {
  const [description, read] = await Promise.all([
    describeWorkflow(temporal, workflowId),
    readRow().then(
      (row) => ({ row, outage: undefined }),
      (error: unknown) => {
        if (isDatabaseOutage(error)) return { row: undefined, outage: error };
        throw error;
      },
    ),
  ]);
  const running = isRunning(description);
  if (read.outage && !running) throw read.outage;
  return { description, row: read.row, running };
}

const millisOf = (timestamp: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  timestamp ? Number(timestamp.seconds ?? 0) * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6) : undefined;

const longAgo = (timestamp: Parameters<typeof millisOf>[0], now: number) => now - (millisOf(timestamp) ?? now) > WAITING_AFTER_MS;

/** A workflow task no worker has taken for a while: no worker has the workflow, so no query can be answered. */
export function hasUnclaimedWorkflowTask(description: WorkflowExecutionDescription, now: number): boolean {
  const task = description.raw.pendingWorkflowTask;
  return (
    task?.state === proto.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED &&
    longAgo(task.originalScheduledTime ?? task.scheduledTime, now)
  );
}

/** Activities scheduled a while ago that no worker has started (not a retry waiting out its backoff). */
export function hasUnclaimedActivities(description: WorkflowExecutionDescription, now: number): boolean {
  return (description.raw.pendingActivities ?? []).some(
    (activity) =>
      activity.state === proto.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED &&
      (millisOf(activity.nextAttemptScheduleTime) ?? 0) < now &&
      longAgo(activity.scheduledTime, now),
  );
}

/** The last heartbeat details of each running activity. */
export function heartbeatsOf<T>(description: WorkflowExecutionDescription): T[] {
  return (description.raw.pendingActivities ?? []).flatMap((activity) => {
    const payload = activity.heartbeatDetails?.payloads?.[0];
    return payload ? [defaultPayloadConverter.fromPayload<T>(payload)] : [];
  });
}
