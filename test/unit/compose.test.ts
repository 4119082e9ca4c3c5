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

const required = { API_TOKEN: 'a-long-random-token', POSTGRES_PASSWORD: 'a-password' };

describe('docker-compose.yml', () => {
  it('has the services of the deployment', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'postgres', 'temporal', 'temporal-ui', 'worker']);
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

  it('refuses to start without the secrets', () => {
    const values = { ...sampleValues };
    expect(() => containerEnvironment(services.api, values)).toThrow(/set (POSTGRES_PASSWORD|API_TOKEN)/);
    expect(() => containerEnvironment(services.api, { ...values, POSTGRES_PASSWORD: 'x' })).toThrow('API_TOKEN: set API_TOKEN');
  });

  it.each(['api', 'worker'])('passes %s only configuration variables, which the configuration accepts', (name) => {
    // Once with nothing set but the secrets (the defaults in the compose file), once with .env.sample copied to .env.
    for (const variables of [required, { ...sampleValues, ...required }]) {
      const environment = containerEnvironment(services[name], variables);
      const config = loadConfig(environment);
      // zod drops what the schema does not know, so a variable the config ignores is missing from the result.
      expect(Object.keys(environment).filter((key) => !(key in config))).toEqual([]);
      expect(config).toMatchObject({ DATA_ROOT: '/data', TEMPORAL_ADDRESS: 'temporal:7233' });
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

  it('declares every named volume and shares the data volume between the API and the workers', () => {
    const named = Object.values(services)
      .flatMap((service) => service.volumes ?? [])
      .map((volume) => volume.split(':')[0])
      .filter((source) => !source.startsWith('.') && !source.startsWith('/'));
    expect([...new Set(named)].sort()).toEqual(Object.keys(compose.volumes).sort());
    expect(services.api.volumes).toEqual(['backtest-data:/data']);
    expect(services.worker.volumes).toEqual(['backtest-data:/data']);
  });

  it('has health checks, and waits only for services that have one', () => {
    for (const name of ['postgres', 'temporal', 'api', 'worker']) expect(services[name].healthcheck?.test.length).toBeGreaterThan(0);
    expect(services.postgres.healthcheck!.test.join(' ')).toContain('pg_isready');
    expect(services.api.healthcheck!.test.join(' ')).toContain('http://127.0.0.1:3000/readyz');
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect({ name, dependency, known: dependency in services }).toEqual({ name, dependency, known: true });
        if (condition === 'service_healthy')
          expect({ dependency, healthcheck: Boolean(services[dependency].healthcheck) }).toEqual({ dependency, healthcheck: true });
      }
    }
    expect(Object.keys(services.api.depends_on!).sort()).toEqual(['postgres', 'temporal']);
    expect(services.worker.depends_on).toEqual(services.api.depends_on);
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

  it('builds on Node 20 (Debian bookworm slim) and runs as a non-root user', () => {
    expect(instructions.filter((i) => i.keyword === 'FROM').map((i) => i.argument.split(' ')[0])).toEqual([
      'node:20-bookworm-slim',
      'node:20-bookworm-slim',
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

  it('has a pg_dump for backups whose major version matches the compose PostgreSQL', () => {
    // Debian bookworm's postgresql-client is PostgreSQL 15.
    expect(dockerfile).toContain('postgresql-client');
    expect(services.postgres.image).toBe('postgres:15-bookworm');
  });
});
