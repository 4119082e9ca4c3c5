/**
 * Bad input never hurts the service: each malformed request gets a 4xx with a message a person can act
 * on, never a 5xx or a stack trace, and a normal backtest still succeeds afterwards.
 */
import request from 'supertest';
import { startHarness, waitFor, type Harness } from './harness';

let harness: Harness;
let finishedTaskId: string;

const valid = {
  strategy: 'volume_zone_breakout',
  params: {},
  symbols: ['BTC_KRW'],
  start_date: '2024-01-01',
  end_date: '2024-06-30',
  timeframe: '1d',
};

async function runToCompletion(): Promise<string> {
  const submitted = await request(harness.app).post('/api/backtests').send(valid);
  expect(submitted.status).toBe(202);
  await waitFor(
    () => request(harness.app).get(`/api/backtests/${submitted.body.task_id}`),
    (response) => response.body.status === 'completed',
  );
  return submitted.body.task_id;
}

beforeAll(async () => {
  harness = await startHarness();
  finishedTaskId = await runToCompletion();
});

afterAll(async () => {
  await harness?.stop();
});

interface Case {
  name: string;
  method: 'get' | 'post' | 'patch' | 'delete' | 'put';
  path: string | (() => string);
  body?: unknown;
  /** Sent as-is with this content type instead of JSON. */
  raw?: { type: string; text: string };
  status: number;
  /** A fragment the message must contain: proof that it says what is wrong. */
  says: RegExp;
}

const submit = (body: unknown, says: RegExp, status = 422): Omit<Case, 'name'> => ({
  method: 'post',
  path: '/api/backtests',
  body,
  status,
  says,
});
const withParams = (params: unknown, says: RegExp) => submit({ ...valid, params }, says);
const tooMany = Array.from({ length: 10_000 }, (_, index) => `S${index}_KRW`);

const cases: Case[] = [
  {
    name: 'malformed JSON',
    method: 'post',
    path: '/api/backtests',
    raw: { type: 'application/json', text: '{"strategy": ' },
    status: 422,
    says: /not valid JSON/,
  },
  {
    name: 'JSON string body',
    method: 'post',
    path: '/api/backtests',
    raw: { type: 'application/json', text: '"hello"' },
    status: 422,
    says: /not valid JSON|expected object/,
  },
  {
    name: 'JSON null body',
    method: 'post',
    path: '/api/backtests',
    raw: { type: 'application/json', text: 'null' },
    status: 422,
    says: /not valid JSON|expected object/,
  },
  { name: 'JSON array body', ...submit([valid], /expected object/) },
  {
    name: 'text/plain body',
    method: 'post',
    path: '/api/backtests',
    raw: { type: 'text/plain', text: 'run BTC please' },
    status: 422,
    says: /strategy/,
  },
  { name: 'empty object', ...submit({}, /strategy.*symbols.*start_date/s) },
  { name: 'missing strategy', ...submit({ ...valid, strategy: undefined }, /strategy/) },
  { name: 'strategy of wrong type', ...submit({ ...valid, strategy: 5 }, /unknown strategy 5/) },
  { name: 'unknown strategy', ...submit({ ...valid, strategy: 'magic' }, /unknown strategy "magic"; available: volume_zone_breakout/) },
  { name: 'params not an object', ...withParams(5, /params/) },
  { name: 'unknown parameter', ...withParams({ foo: 1 }, /Unrecognized key: "foo"/) },
  { name: 'parameter of wrong type', ...withParams({ volume_window: 'sixty' }, /params.volume_window/) },
  { name: 'parameter below its range', ...withParams({ volume_window: 1 }, /params.volume_window: .*>=2/) },
  { name: 'parameter above its range', ...withParams({ top_percentile: 1.5 }, /params.top_percentile/) },
  { name: 'non-integer bins', ...withParams({ num_bins: 2.5 }, /params.num_bins/) },
  { name: 'zero position size', ...withParams({ position_size: 0 }, /params.position_size/) },
  { name: 'negative fee', ...withParams({ fee_rate: -0.1 }, /params.fee_rate/) },
  { name: "another strategy's parameter", ...withParams({ vol_ma_window: 5 }, /Unrecognized key: "vol_ma_window"/) },
  { name: 'boolean given as string', ...withParams({ include_wicks: 'yes' }, /params.include_wicks/) },
  { name: 'missing symbols', ...submit({ ...valid, symbols: undefined }, /symbols/) },
  { name: 'symbols not a list', ...submit({ ...valid, symbols: 'BTC_KRW' }, /symbols/) },
  { name: 'no symbols', ...submit({ ...valid, symbols: [] }, /at least one symbol/) },
  { name: 'symbol of wrong type', ...submit({ ...valid, symbols: [42] }, /symbols.0/) },
  { name: 'path-traversal symbol', ...submit({ ...valid, symbols: ['../../etc/passwd'] }, /symbols.0: symbol must look like BASE_QUOTE/) },
  { name: 'symbol with a slash path', ...submit({ ...valid, symbols: ['BTC/../../KRW'] }, /symbols.0: symbol must look like BASE_QUOTE/) },
  { name: 'symbol with spaces', ...submit({ ...valid, symbols: ['BTC KRW'] }, /symbols.0/) },
  { name: 'duplicate symbols', ...submit({ ...valid, symbols: ['BTC_KRW', 'btc/krw'] }, /duplicate symbol BTC_KRW/) },
  { name: '10,000 symbols', ...submit({ ...valid, symbols: tooMany }, /at most 1000 symbols/) },
  { name: 'unknown symbol', ...submit({ ...valid, symbols: ['DOGE_USDT'] }, /unknown symbol DOGE_USDT/) },
  { name: 'unknown timeframe', ...submit({ ...valid, timeframe: '2h' }, /timeframe must be one of 1m, 5m, 15m, 1h, 4h, 1d; got "2h"/) },
  { name: 'timeframe without data', ...submit({ ...valid, timeframe: '4h' }, /BTC_KRW has no 4h data; available: /) },
  { name: 'badly formatted date', ...submit({ ...valid, start_date: '2024/01/01' }, /start_date: date must be YYYY-MM-DD/) },
  { name: 'impossible date', ...submit({ ...valid, end_date: '2024-02-30' }, /end_date: not a calendar date/) },
  { name: 'date as a number', ...submit({ ...valid, start_date: 20240101 }, /start_date/) },
  {
    name: 'reversed dates',
    ...submit({ ...valid, start_date: '2024-06-30', end_date: '2024-01-01' }, /end_date 2024-01-01 is before start_date 2024-06-30/),
  },
  {
    name: 'range too long for the timeframe',
    ...submit({ ...valid, timeframe: '1m', start_date: '2015-01-01', end_date: '2024-12-31' }, /range too long for 1m/),
  },
  { name: 'unknown top-level field', ...submit({ ...valid, symbol: 'BTC_KRW' }, /Unrecognized key: "symbol"/) },
  { name: 'oversized body', ...submit({ ...valid, padding: 'x'.repeat(300_000) }, /request body exceeds/, 413) },
  {
    name: "predecessor's route with bad body",
    method: 'post',
    path: '/api/backtest/run',
    body: { strategy: 'x' },
    status: 422,
    says: /unknown strategy "x"/,
  },
  { name: 'status of a non-UUID id', method: 'get', path: '/api/backtests/not-a-task', status: 404, says: /task ids are UUIDs/ },
  {
    name: 'status of an unknown task',
    method: 'get',
    path: '/api/backtests/7d0a7a4e-0000-4000-8000-000000000000',
    status: 404,
    says: /no task 7d0a7a4e/,
  },
  {
    name: "predecessor's status of an unknown task",
    method: 'get',
    path: '/api/backtest/status/7d0a7a4e-0000-4000-8000-000000000000',
    status: 404,
    says: /no task/,
  },
  {
    name: 'result of an unknown task',
    method: 'get',
    path: '/api/backtests/7d0a7a4e-0000-4000-8000-000000000000/result',
    status: 404,
    says: /no task/,
  },
  {
    name: 'candles without a symbol',
    method: 'get',
    path: () => `/api/backtests/${finishedTaskId}/candles`,
    status: 422,
    says: /symbol/,
  },
  {
    name: 'candles with no candle at all',
    method: 'get',
    path: () => `/api/backtests/${finishedTaskId}/candles?symbol=BTC_KRW&max_points=0`,
    status: 422,
    says: /max_points/,
  },
  {
    name: 'candles from a time that is no time',
    method: 'get',
    path: () => `/api/backtests/${finishedTaskId}/candles?symbol=BTC_KRW&from=yesterday`,
    status: 422,
    says: /from/,
  },
  {
    name: 'candles of an unknown task',
    method: 'get',
    path: '/api/backtests/7d0a7a4e-0000-4000-8000-000000000000/candles?symbol=BTC_KRW',
    status: 404,
    says: /no task/,
  },
  {
    name: 'result with a negative page size',
    method: 'get',
    path: () => `/api/backtests/${finishedTaskId}/result?trades_limit=-1`,
    status: 422,
    says: /trades_limit/,
  },
  {
    name: 'result with a huge page size',
    method: 'get',
    path: () => `/api/backtests/${finishedTaskId}/result?trades_limit=1000000`,
    status: 422,
    says: /trades_limit/,
  },
  {
    name: 'result with one point',
    method: 'get',
    path: () => `/api/backtests/${finishedTaskId}/result?max_points=1`,
    status: 422,
    says: /max_points/,
  },
  {
    name: 'result sorted by an unknown column',
    method: 'get',
    path: () => `/api/backtests/${finishedTaskId}/result?trades_sort=pnl`,
    status: 422,
    says: /trades_sort/,
  },
  {
    name: 'result sorted in an unknown direction',
    method: 'get',
    path: () => `/api/backtests/${finishedTaskId}/result?trades_sort=return_pct&trades_order=up`,
    status: 422,
    says: /trades_order/,
  },
  {
    name: 'result with a traversal symbol',
    method: 'get',
    path: () => `/api/backtests/${finishedTaskId}/result?symbol=..%2Fx`,
    status: 422,
    says: /symbol must look like/,
  },
  {
    name: 'file not in the manifest',
    method: 'get',
    path: () => `/api/backtests/${finishedTaskId}/files/secret.txt`,
    status: 404,
    says: /no file "secret.txt".*files: manifest.json/,
  },
  {
    name: 'file name with traversal',
    method: 'get',
    path: () => `/api/backtests/${finishedTaskId}/files/..%2F..%2Fpg%2Fpg_hba.conf`,
    status: 404,
    says: /no file/,
  },
  { name: 'history with limit 0', method: 'get', path: '/api/backtests?limit=0', status: 422, says: /limit/ },
  { name: 'history with a text limit', method: 'get', path: '/api/backtests?limit=many', status: 422, says: /limit/ },
  { name: 'history with an unknown status', method: 'get', path: '/api/backtests?status=weird', status: 422, says: /status/ },
  { name: 'history with a bad date', method: 'get', path: '/api/backtests?created_after=yesterday', status: 422, says: /created_after/ },
  {
    name: 'history with an unknown filter',
    method: 'get',
    path: '/api/backtests?owner=me',
    status: 422,
    says: /Unrecognized key: "owner"/,
  },
  {
    name: 'pin with a string',
    method: 'patch',
    path: () => `/api/backtests/${finishedTaskId}`,
    body: { pinned: 'yes' },
    status: 422,
    says: /pinned must be true or false/,
  },
  { name: 'pin with nothing', method: 'patch', path: () => `/api/backtests/${finishedTaskId}`, body: {}, status: 422, says: /pinned/ },
  {
    name: 'pin an unknown task',
    method: 'patch',
    path: '/api/backtests/7d0a7a4e-0000-4000-8000-000000000000',
    body: { pinned: true },
    status: 404,
    says: /no task/,
  },
  {
    name: 'delete an unknown task',
    method: 'delete',
    path: '/api/backtests/7d0a7a4e-0000-4000-8000-000000000000',
    status: 404,
    says: /no task/,
  },
  { name: 'delete a non-UUID id', method: 'delete', path: '/api/backtests/..', status: 404, says: /no route|task ids are UUIDs/ },
  {
    name: 'cancel an unknown task',
    method: 'post',
    path: '/api/backtests/7d0a7a4e-0000-4000-8000-000000000000/cancel',
    status: 404,
    says: /no task/,
  },
  {
    name: 'cancel a finished task',
    method: 'post',
    path: () => `/api/backtests/${finishedTaskId}/cancel`,
    status: 409,
    says: /is completed; only a running task can be cancelled/,
  },
  { name: 'unknown route', method: 'get', path: '/api/nope', status: 404, says: /no route GET \/api\/nope/ },
  { name: 'wrong method', method: 'put', path: '/api/backtests', body: valid, status: 404, says: /no route PUT/ },
];

describe('malformed requests', () => {
  it('covers at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('$name -> $status', async ({ method, path, body, raw, status, says }) => {
    const url = typeof path === 'function' ? path() : path;
    let pending = request(harness.app)[method](url);
    if (raw) pending = pending.set('content-type', raw.type).send(raw.text);
    else if (body !== undefined) pending = pending.send(body as object);
    const response = await pending;
    expect(response.status).toBe(status);
    expect(response.type).toBe('application/json');
    expect(response.body.message).toMatch(says);
    expect(JSON.stringify(response.body)).not.toMatch(/\bat [\w.]+ \(|node_modules/); // no stack traces
  });

  it('leaves the service working: a normal backtest still completes', async () => {
    const taskId = await runToCompletion();
    expect((await request(harness.app).get(`/api/backtests/${taskId}/result`)).status).toBe(200);
    expect((await request(harness.app).get('/readyz')).body.status).toBe('ready');
  });
});

describe('the OpenAPI document', () => {
  it('describes every route of the contract with its schemas', async () => {
    const response = await request(harness.app).get('/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/backtests',
        '/api/backtests/{id}',
        '/api/backtests/{id}/result',
        '/api/backtests/{id}/candles',
        '/api/backtests/{id}/files/{name}',
        '/api/backtests/{id}/cancel',
        '/api/strategies',
        '/api/data/symbols',
        '/api/backtest/run',
        '/api/backtest/status/{id}',
        '/healthz',
        '/readyz',
      ]),
    );
    const submit = response.body.paths['/api/backtests'].post;
    expect(submit.requestBody.content['application/json'].schema.properties.timeframe.enum).toEqual(['1m', '5m', '15m', '1h', '4h', '1d']);
    expect(Object.keys(submit.responses)).toEqual(expect.arrayContaining(['202', '422']));
    const strategy =
      response.body.paths['/api/strategies'].get.responses['200'].content['application/json'].schema.properties.strategies.items;
    expect(Object.keys(strategy.properties)).toEqual([
      'id',
      'description',
      'source',
      'version',
      'file',
      'available',
      'error',
      'parameters',
    ]);
    const candleQuery = response.body.paths['/api/backtests/{id}/candles'].get.parameters.map(
      (parameter: { name: string }) => parameter.name,
    );
    expect(candleQuery).toEqual(expect.arrayContaining(['id', 'symbol', 'max_points', 'from', 'to']));
  });
});

describe('API_TOKEN', () => {
  let guarded: Harness;
  beforeAll(async () => {
    guarded = await startHarness({ env: { API_TOKEN: 'test-token' } });
  });
  afterAll(async () => {
    await guarded?.stop();
  });

  it('answers 401 without the bearer token and serves with it; health stays open', async () => {
    const denied = await request(guarded.app).get('/api/strategies');
    expect(denied.status).toBe(401);
    expect(denied.body.message).toMatch(/Authorization: Bearer/);
    expect((await request(guarded.app).post('/api/backtests').send(valid)).status).toBe(401);
    expect((await request(guarded.app).get('/api/strategies').set('Authorization', 'Bearer test-token')).status).toBe(200);
    expect((await request(guarded.app).get('/healthz')).status).toBe(200);
  });
});

describe('submission rate limit', () => {
  let limited: Harness;
  beforeAll(async () => {
    limited = await startHarness({ env: { SUBMISSIONS_PER_MINUTE: '2' } });
  });
  afterAll(async () => {
    await limited?.stop();
  });

  it('answers 429 past SUBMISSIONS_PER_MINUTE, counting refused submissions too, while reads go on', async () => {
    const bad = { ...valid, strategy: 'magic' };
    expect((await request(limited.app).post('/api/backtests').send(bad)).status).toBe(422);
    expect((await request(limited.app).post('/api/backtests').send(bad)).status).toBe(422);
    const third = await request(limited.app).post('/api/backtests').send(valid);
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ error: 'too_many_submissions', message: expect.stringMatching(/at most 2 submissions per minute/) });
    expect(third.headers['ratelimit-policy']).toBeDefined();
    expect((await request(limited.app).get('/api/strategies')).status).toBe(200);
  });
});
