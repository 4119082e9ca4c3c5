/**
 * docker-compose.yml and the Dockerfile cannot run here (no Docker engine): this checks that they agree
 * with each other, with .env.sample and with the configuration schema of src/config.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { assertSafeBinding } from '../../src/api/auth';
import { loadConfig } from '../../src/config';

const ROOT = join(__dirname, '..', '..');
const composeText = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const envSample = readFileSync(join(ROOT, '.env.sample'), 'utf8');

interface Service {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: unknown };
}

const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const { services } = compose;

/** `KEY=` lines of .env.sample, commented-out ones included (they document an optional variable). */
const sampleVariables = new Set([...envSample.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));

/** The values .env.sample gives, as compose would read them from a copy of it named .env. */
const sampleValues = Object.fromEntries([...envSample.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((match) => [match[1], match[2]]));

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, and $$ for a literal $. */
function interpolate(value: string, variables: Record<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Z0-9_]+)(?:(:?)([-?])([^}]*))?\}/g, (match, name, colon, kind, fallback) => {
    if (match === '$$') return '$';
    const set = name in variables && !(colon && variables[name] === '');
    if (set) return variables[name];
    if (kind === '?') throw new Error(`${name}: ${fallback}`);
    return kind === '-' ? fallback : '';
  });
}

/** A service's environment as the container gets it, with `variables` as the .env/shell values. */
function containerEnvironment(service: Service, variables: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, interpolate(String(value), variables)]));
}

const required = { API_TOKEN: 'a-long-random-token', POSTGRES_PASSWORD: 'a-password', AWS_SECRET_ACCESS_KEY: 'a-secret-key' };

/** Read by the AWS SDK's credential chain rather than by src/config.ts. */
const SDK_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

describe('docker-compose.yml', () => {
  it('has the services of the deployment', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'minio', 'minio-bucket', 'postgres', 'temporal', 'temporal-ui', 'worker']);
    expect(services.minio.image).toMatch(/^minio\/minio:RELEASE\./);
    expect(services['minio-bucket'].image).toMatch(/^minio\/mc:RELEASE\./);
    expect(services.postgres.image).toMatch(/^postgres:/);
    expect(services.temporal.image).toMatch(/^temporalio\/auto-setup:/);
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
  });

  it('runs the API and the workers from the same build, with their own commands', () => {
    expect(services.api.build).toEqual('.');
    expect(services.worker.build).toEqual(services.api.build);
    expect(services.worker.image).toEqual(services.api.image);
    expect(services.api.command).toEqual(['node', '--import', 'tsx', 'src/server.ts']);
    expect(services.worker.command).toEqual(['node', '--import', 'tsx', 'src/worker.ts']);
    for (const service of [services.api, services.worker]) expect(existsSync(join(ROOT, service.command![3]))).toBe(true);
    expect(services.worker.deploy?.replicas).toBe('${WORKER_REPLICAS:-2}');
  });

  it('uses only variables that .env.sample lists', () => {
    const used = new Set([...composeText.replace(/\$\$/g, '').matchAll(/\$\{([A-Z0-9_]+)/g)].map((match) => match[1]));
    const unlisted = [...used].filter((name) => !sampleVariables.has(name));
    expect(unlisted).toEqual([]);
  });

  it.each(Object.keys(required))('refuses to start without the secret %s', (secret) => {
    const values: Record<string, string> = { ...sampleValues, ...required };
    delete values[secret];
    expect(() => containerEnvironment(services.api, values)).toThrow(`${secret}: set ${secret}`);
  });

  it.each(['api', 'worker'])('passes %s only configuration variables, which the configuration accepts', (name) => {
    // Once with nothing set but the secrets (the defaults in the compose file), once with .env.sample copied to .env.
    for (const variables of [required, { ...sampleValues, ...required }]) {
      const environment = containerEnvironment(services[name], variables);
      const config = loadConfig(environment);
      // zod drops what the schema does not know, so a variable the config ignores is missing from the result.
      expect(Object.keys(environment).filter((key) => !(key in config) && !SDK_VARIABLES.includes(key))).toEqual([]);
      expect(config).toMatchObject({ DATA_ROOT: '/data', TEMPORAL_ADDRESS: 'temporal:7233' });
      // Everything in the stack's MinIO, with the key MinIO was given as its root user.
      expect(config).toMatchObject({
        STORAGE_PROVIDER: 's3',
        S3_ENDPOINT: 'http://minio:9000',
        S3_BUCKET: 'backtests',
        S3_FORCE_PATH_STYLE: true,
      });
      expect(environment.AWS_SECRET_ACCESS_KEY).toBe(containerEnvironment(services.minio, variables).MINIO_ROOT_PASSWORD);
      expect(environment.AWS_ACCESS_KEY_ID).toBe(containerEnvironment(services.minio, variables).MINIO_ROOT_USER);
      expect(new URL(config.DATABASE_URL!).host).toBe('postgres:5432');
      if (name === 'api') expect(() => assertSafeBinding(config.API_HOST, config.API_TOKEN)).not.toThrow();
    }
  });

  it('publishes the API on 3000, Temporal on 7233 and its Web UI on 8233, matching the addresses used', () => {
    expect(services.api.ports).toEqual(['3000:3000']);
    expect(loadConfig(containerEnvironment(services.api, required)).API_PORT).toBe(3000);
    expect(services.temporal.ports).toEqual(['7233:7233']);
    expect(services['temporal-ui'].ports).toEqual(['8233:8080']);
    expect(services['temporal-ui'].environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(services.temporal.environment).toMatchObject({ DB: 'postgres12', DB_PORT: 5432, POSTGRES_SEEDS: 'postgres' });
    expect(interpolate(String(services.temporal.environment!.POSTGRES_PWD), required)).toBe(required.POSTGRES_PASSWORD);
  });

  it('declares every named volume; the API and the workers share no volume, only the store', () => {
    const named = Object.values(services)
      .flatMap((service) => service.volumes ?? [])
      .map((volume) => volume.split(':')[0])
      .filter((source) => !source.startsWith('.') && !source.startsWith('/'));
    expect([...new Set(named)].sort()).toEqual(Object.keys(compose.volumes).sort());
    expect(services.api.volumes).toBeUndefined();
    expect(services.worker.volumes).toBeUndefined();
    expect(services.minio.volumes).toEqual(['minio-data:/data']);
  });

  it('has health checks, and waits only for services that have one', () => {
    for (const name of ['postgres', 'temporal', 'minio', 'api', 'worker'])
      expect(services[name].healthcheck?.test.length).toBeGreaterThan(0);
    expect(services.postgres.healthcheck!.test.join(' ')).toContain('pg_isready');
    expect(services.api.healthcheck!.test.join(' ')).toContain('http://127.0.0.1:3000/readyz');
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect({ name, dependency, known: dependency in services }).toEqual({ name, dependency, known: true });
        if (condition === 'service_healthy')
          expect({ dependency, healthcheck: Boolean(services[dependency].healthcheck) }).toEqual({ dependency, healthcheck: true });
      }
    }
    expect(Object.keys(services.api.depends_on!).sort()).toEqual(['minio-bucket', 'postgres', 'temporal']);
    expect(services.api.depends_on!['minio-bucket']).toEqual({ condition: 'service_completed_successfully' });
    expect(services.worker.depends_on).toEqual(services.api.depends_on);
  });

  it('creates the bucket the API and the workers use, once, on the MinIO they reach', () => {
    const bucket = services['minio-bucket'];
    expect(bucket.depends_on).toEqual({ minio: { condition: 'service_healthy' } });
    expect((bucket as { restart?: string }).restart).toBe('no');
    const environment = containerEnvironment(bucket, { ...required, S3_BUCKET: 'results' });
    expect(environment).toEqual({ MC_HOST_store: 'http://backtest:a-secret-key@minio:9000', S3_BUCKET: 'results' });
    expect(loadConfig(containerEnvironment(services.worker, { ...required, S3_BUCKET: 'results' })).S3_BUCKET).toBe('results');
    expect(interpolate((bucket as { entrypoint?: string[] }).entrypoint!.join(' '), required)).toBe(
      'sh -c mc mb --ignore-existing "store/$S3_BUCKET"',
    );
    expect(services.minio.ports).toEqual(['9000:9000', '9001:9001']);
  });
});

describe('Dockerfile', () => {
  const instructions = dockerfile
    .split('\n')
    .filter((line) => /^[A-Z]+\s/.test(line))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword, argument: rest.join(' ') };
    });
  const last = (keyword: string) => instructions.filter((instruction) => instruction.keyword === keyword).at(-1)?.argument;

  it('builds on Node 24 (Debian bookworm slim), the version CI runs, and runs as a non-root user', () => {
    expect(instructions.filter((i) => i.keyword === 'FROM').map((i) => i.argument.split(' ')[0])).toEqual([
      'node:24-bookworm-slim',
      'node:24-bookworm-slim',
    ]);
    expect(last('USER')).toBe('node');
    expect(dockerfile).toContain('package-lock.json');
    expect(dockerfile).toContain('npx vite build web');
  });

  it("starts the API by default on the port it exposes, as the compose file's api service does", () => {
    expect(JSON.parse(last('CMD')!)).toEqual(services.api.command);
    expect(last('EXPOSE')).toBe('3000');
    expect(services.api.ports).toContain(`${last('EXPOSE')}:${last('EXPOSE')}`);
  });

  it('has the PostgreSQL client tools (psql, pg_dump) of the compose PostgreSQL, for operators', () => {
    // Debian bookworm's postgresql-client is PostgreSQL 15. (Backups dump the tables themselves, as JSON lines.)
    expect(dockerfile).toContain('postgresql-client');
    expect(services.postgres.image).toBe('postgres:15-bookworm');
  });
});
