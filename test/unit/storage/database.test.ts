/** Runs against a real PostgreSQL: a fresh database per file, dropped at the end. */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { BacktestResultsRepository, type FinishedBacktestResult, type RunningBacktestResult } from '../../../src/storage/backtestResults';
import { createPool, runMigrations } from '../../../src/storage/database';

const ADMIN_URL = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const databaseName = `backtest_db_test_${randomBytes(6).toString('hex')}`;
const databaseUrl = () => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${databaseName}`;
  return url.toString();
};

let pool: pg.Pool;
let repository: BacktestResultsRepository;

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  await admin.end();
  pool = createPool(databaseUrl());
  repository = new BacktestResultsRepository(pool);
});

afterAll(async () => {
  await pool?.end();
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  await admin.end();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The end state of a task, with the identity columns its row is created with if it has none. */
function finished(
  task: RunningBacktestResult,
  end: Pick<FinishedBacktestResult, 'status' | 'file_size' | 'record_count' | 'metadata'>,
): FinishedBacktestResult {
  const { metadata: _started, ...identity } = task;
  return { ...identity, ...end };
}

const column = async (sql: string, values: unknown[] = []) => (await pool.query(sql, values)).rows.map((row) => Object.values(row)[0]);

function runningTask(overrides: Partial<RunningBacktestResult> = {}): RunningBacktestResult {
  const task_id = overrides.task_id ?? randomUUID();
  return {
    task_id,
    strategy: 'volume_zone_breakout',
    symbols: ['BTC_KRW', 'ETH_KRW'],
    start_date: '2024-01-01',
    end_date: '2024-12-31',
    timeframe: '1h',
    parquet_path: `tasks/${task_id}`,
    metadata: { schema_version: '1.0', pinned: false },
    ...overrides,
  };
}

describe('runMigrations', () => {
  it('applies every migration once, even when two processes start together', async () => {
    const other = createPool(databaseUrl());
    try {
      const applied = await Promise.all([runMigrations(pool), runMigrations(other)]);
      expect(applied.flat().sort()).toEqual([1, 2]);
    } finally {
      await other.end();
    }
    expect(await column('SELECT version FROM schema_migrations ORDER BY version')).toEqual([1, 2]);
  });

  it('changes nothing when run again', async () => {
    expect(await runMigrations(pool)).toEqual([]);
    expect(await column('SELECT name FROM schema_migrations ORDER BY version')).toEqual([
      'create_backtest_results',
      'create_parameter_sweeps',
    ]);
  });

  it('creates backtest_results with the columns and types of the seed', async () => {
    const columns = await pool.query(
      `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
       FROM information_schema.columns WHERE table_name = 'backtest_results' ORDER BY ordinal_position`,
    );
    expect(columns.rows.map((c) => [c.column_name, c.data_type, c.character_maximum_length, c.is_nullable])).toEqual([
      ['task_id', 'uuid', null, 'NO'],
      ['strategy', 'character varying', 100, 'NO'],
      ['symbols', 'jsonb', null, 'NO'],
      ['start_date', 'date', null, 'NO'],
      ['end_date', 'date', null, 'NO'],
      ['timeframe', 'character varying', 10, 'YES'],
      ['status', 'character varying', 20, 'NO'],
      ['parquet_path', 'character varying', 500, 'NO'],
      ['file_size', 'bigint', null, 'YES'],
      ['record_count', 'integer', null, 'YES'],
      ['metadata', 'jsonb', null, 'YES'],
      ['created_at', 'timestamp with time zone', null, 'YES'],
      ['updated_at', 'timestamp with time zone', null, 'YES'],
    ]);
    const defaults = Object.fromEntries(columns.rows.map((c) => [c.column_name, c.column_default]));
    expect(defaults).toMatchObject({ metadata: "'{}'::jsonb", created_at: 'CURRENT_TIMESTAMP', updated_at: 'CURRENT_TIMESTAMP' });
  });

  it('creates the primary key, the unique parquet_path and the two check constraints', async () => {
    const constraints = await pool.query(
      `SELECT conname, contype, pg_get_constraintdef(oid) AS definition FROM pg_constraint
       WHERE conrelid = 'backtest_results'::regclass ORDER BY conname`,
    );
    const byName = Object.fromEntries(constraints.rows.map((c) => [c.conname, [c.contype, c.definition]]));
    expect(byName).toEqual({
      backtest_results_pkey: ['p', 'PRIMARY KEY (task_id)'],
      backtest_results_parquet_path_key: ['u', 'UNIQUE (parquet_path)'],
      status_valid: [
        'c',
        "CHECK (((status)::text = ANY ((ARRAY['completed'::character varying, 'failed'::character varying, 'running'::character varying])::text[])))",
      ],
      date_order: ['c', 'CHECK ((start_date <= end_date))'],
    });
  });

  it('creates the five indexes, symbols as GIN', async () => {
    const indexes = await pool.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'backtest_results' AND indexname LIKE 'idx_%' ORDER BY indexname`,
    );
    expect(indexes.rows.map((index) => index.indexdef.replace(/ public\./g, ' '))).toEqual([
      'CREATE INDEX idx_backtest_results_created_at ON backtest_results USING btree (created_at DESC)',
      'CREATE INDEX idx_backtest_results_status ON backtest_results USING btree (status)',
      'CREATE INDEX idx_backtest_results_strategy ON backtest_results USING btree (strategy)',
      'CREATE INDEX idx_backtest_results_symbols ON backtest_results USING gin (symbols)',
      'CREATE INDEX idx_backtest_results_task_id ON backtest_results USING btree (task_id)',
    ]);
  });

  it('creates the updated_at trigger and its function', async () => {
    const triggers = await pool.query(
      `SELECT tgname, pg_get_triggerdef(t.oid) AS definition, p.proname FROM pg_trigger t
       JOIN pg_proc p ON p.oid = t.tgfoid WHERE tgrelid = 'backtest_results'::regclass AND NOT tgisinternal`,
    );
    expect(triggers.rows).toEqual([
      {
        tgname: 'backtest_results_update_timestamp',
        definition:
          'CREATE TRIGGER backtest_results_update_timestamp BEFORE UPDATE ON public.backtest_results FOR EACH ROW EXECUTE FUNCTION update_backtest_results_timestamp()',
        proname: 'update_backtest_results_timestamp',
      },
    ]);
  });
});

describe('BacktestResultsRepository', () => {
  beforeAll(() => runMigrations(pool));
  beforeEach(() => pool.query('TRUNCATE backtest_results'));

  it('inserts a running task once, however often it is asked to', async () => {
    const task = runningTask();
    expect(await repository.insertRunning(task)).toBe(true);
    expect(await repository.insertRunning({ ...task, strategy: 'volume_long_candle' })).toBe(false);
    expect(await column('SELECT count(*)::int FROM backtest_results')).toEqual([1]);
    expect(await repository.get(task.task_id)).toEqual({
      task_id: task.task_id,
      strategy: 'volume_zone_breakout',
      symbols: ['BTC_KRW', 'ETH_KRW'],
      start_date: '2024-01-01',
      end_date: '2024-12-31',
      timeframe: '1h',
      status: 'running',
      parquet_path: task.parquet_path,
      file_size: null,
      record_count: null,
      metadata: { schema_version: '1.0', pinned: false },
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      updated_at: expect.any(String),
    });
  });

  it('keeps dates as written and timestamps in UTC whatever the session time zone', async () => {
    const task = runningTask({ start_date: '2024-03-01', end_date: '2024-03-01' });
    await repository.insertRunning(task);
    const farEast = new pg.Pool({ connectionString: databaseUrl(), options: '-c TimeZone=Pacific/Kiritimati' });
    try {
      const row = await new BacktestResultsRepository(farEast).get(task.task_id);
      expect(row).toMatchObject({ start_date: '2024-03-01', end_date: '2024-03-01' });
      expect(Math.abs(Date.parse(row!.created_at) - Date.now())).toBeLessThan(60_000);
    } finally {
      await farEast.end();
    }
  });

  it('finishes a task, merging metadata, and repeating it gives the same row', async () => {
    const task = runningTask();
    await repository.insertRunning(task);
    const finish = finished(task, {
      status: 'completed',
      file_size: 5_000_000_000,
      record_count: 1234,
      metadata: { expires_at: '2024-02-01T00:00:00.000Z', finished_at: '2024-01-25T00:00:00.000Z' },
    });
    const first = await repository.recordFinished(finish);
    const second = await repository.recordFinished(finish);
    expect(first).toMatchObject({
      status: 'completed',
      file_size: 5_000_000_000,
      record_count: 1234,
      metadata: { schema_version: '1.0', pinned: false, ...finish.metadata },
    });
    expect({ ...second, updated_at: undefined }).toEqual({ ...first, updated_at: undefined });
  });

  it('records a cancelled task as failed with cancelled metadata', async () => {
    const task = runningTask();
    await repository.insertRunning(task);
    await repository.recordFinished(finished(task, { status: 'cancelled', file_size: 0, record_count: 0 }));
    expect(await repository.get(task.task_id)).toMatchObject({ status: 'failed', metadata: { cancelled: true, pinned: false } });
    expect((await repository.list({ status: 'cancelled', limit: 10 })).rows.map((row) => row.task_id)).toEqual([task.task_id]);
  });

  it('records the end state of a task whose running row was never written', async () => {
    const task = runningTask();
    const row = await repository.recordFinished(
      finished(task, { status: 'failed', file_size: 0, record_count: 0, metadata: { error: 'PostgreSQL was down' } }),
    );
    expect(row).toMatchObject({
      task_id: task.task_id,
      status: 'failed',
      symbols: task.symbols,
      metadata: { error: 'PostgreSQL was down' },
    });
    expect(await column('SELECT count(*)::int FROM backtest_results')).toEqual([1]);
  });

  it('answers nothing for an unknown or malformed task id', async () => {
    expect(await repository.get(randomUUID())).toBeUndefined();
    expect(await repository.get('not-a-uuid')).toBeUndefined();
    expect(await repository.delete('../../etc')).toBeUndefined();
  });

  it('bumps updated_at on every update through the trigger', async () => {
    const task = runningTask();
    await repository.insertRunning(task);
    const inserted = (await repository.get(task.task_id))!;
    expect(inserted.updated_at).toBe(inserted.created_at);
    await sleep(5);
    const pinned = (await repository.setPinned(task.task_id, true))!;
    expect(Date.parse(pinned.updated_at)).toBeGreaterThan(Date.parse(inserted.updated_at));
    expect(pinned.created_at).toBe(inserted.created_at);
  });

  it('rejects rows that break the constraints', async () => {
    await expect(
      pool.query(
        `INSERT INTO backtest_results (task_id, strategy, symbols, start_date, end_date, status, parquet_path)
      VALUES ($1, 's', '[]', '2024-01-01', '2024-01-02', 'weird', 'tasks/x')`,
        [randomUUID()],
      ),
    ).rejects.toThrow(/status_valid/);
    await expect(repository.insertRunning(runningTask({ start_date: '2024-02-01', end_date: '2024-01-31' }))).rejects.toThrow(/date_order/);
  });

  describe('list', () => {
    const ids: string[] = [];

    beforeEach(async () => {
      ids.length = 0;
      const tasks = [
        runningTask({ symbols: ['BTC_KRW'] }),
        runningTask({ symbols: ['ETH_KRW', 'BTC_KRW'], strategy: 'volume_long_candle' }),
        runningTask({ symbols: ['XRP_KRW'] }),
        runningTask({ symbols: ['BTC_KRW', 'XRP_KRW'] }),
      ];
      for (const task of tasks) {
        await repository.insertRunning(task);
        ids.unshift(task.task_id); // newest first
        await sleep(2);
      }
      await repository.recordFinished(finished(tasks[3], { status: 'completed', file_size: 1, record_count: 1 }));
      await repository.recordFinished(finished(tasks[2], { status: 'cancelled', file_size: 0, record_count: 0 }));
    });

    const taskIds = (rows: { task_id: string }[]) => rows.map((row) => row.task_id);

    it('lists newest first with the total', async () => {
      const { rows, total } = await repository.list({ limit: 10 });
      expect(total).toBe(4);
      expect(taskIds(rows)).toEqual(ids);
    });

    it('pages with limit and offset, the total counting every match', async () => {
      expect(await repository.list({ limit: 2, offset: 1 }).then(({ rows, total }) => [taskIds(rows), total])).toEqual([
        [ids[1], ids[2]],
        4,
      ]);
      expect(await repository.list({ limit: 2, offset: 10 })).toEqual({ rows: [], total: 4 });
    });

    it('filters by strategy, status, cancellation and creation time', async () => {
      expect(taskIds((await repository.list({ strategy: 'volume_long_candle', limit: 10 })).rows)).toEqual([ids[2]]);
      expect(taskIds((await repository.list({ status: 'running', limit: 10 })).rows)).toEqual([ids[2], ids[3]]);
      expect(taskIds((await repository.list({ status: 'cancelled', limit: 10 })).rows)).toEqual([ids[1]]);
      expect(taskIds((await repository.list({ status: 'failed', limit: 10 })).rows)).toEqual([]);
      const second = (await repository.get(ids[2]))!;
      expect(taskIds((await repository.list({ created_after: second.created_at, limit: 10 })).rows)).toEqual([ids[0], ids[1]]);
    });

    it('filters by symbol through the GIN index', async () => {
      const btc = await repository.list({ symbol: 'BTC_KRW', limit: 10 });
      expect(taskIds(btc.rows)).toEqual([ids[0], ids[2], ids[3]]);
      expect(btc.total).toBe(3);
      expect((await repository.list({ symbol: 'BTC', limit: 10 })).total).toBe(0);

      const client = await pool.connect();
      try {
        await client.query('SET enable_seqscan = off');
        const plan = await client.query(`EXPLAIN SELECT * FROM backtest_results WHERE symbols @> '["BTC_KRW"]'::jsonb`);
        expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain('idx_backtest_results_symbols');
      } finally {
        await client.query('RESET enable_seqscan');
        client.release();
      }
    });
  });

  it('lists expired results that are not pinned, oldest expiry first', async () => {
    const expiring = async (expires_at: string | undefined, pinned: boolean) => {
      const task = runningTask();
      await repository.insertRunning(task);
      await repository.recordFinished(
        finished(task, { status: 'completed', file_size: 1, record_count: 1, metadata: expires_at ? { expires_at } : {} }),
      );
      if (pinned) await repository.setPinned(task.task_id, true);
      return task.task_id;
    };
    const later = await expiring('2024-01-05T00:00:00.000Z', false);
    const earlier = await expiring('2024-01-02T12:00:00.000Z', false);
    const pinned = await expiring('2024-01-01T00:00:00.000Z', true);
    await expiring('2024-01-20T00:00:00.000Z', false);
    await expiring(undefined, false);

    const now = new Date('2024-01-10T00:00:00Z');
    expect((await repository.listExpired(now)).map((row) => row.task_id)).toEqual([earlier, later]);
    await repository.setPinned(pinned, false);
    expect((await repository.listExpired(now)).map((row) => row.task_id)).toEqual([pinned, earlier, later]);
  });

  it('deletes a row and returns it', async () => {
    const task = runningTask();
    await repository.insertRunning(task);
    expect(await repository.delete(task.task_id)).toMatchObject({ task_id: task.task_id, parquet_path: task.parquet_path });
    expect(await repository.get(task.task_id)).toBeUndefined();
    expect(await repository.delete(task.task_id)).toBeUndefined();
  });
});
