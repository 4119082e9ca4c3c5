/**
 * The infrastructure of `npm start` in a process of its own: an embedded PostgreSQL and a Temporal dev
 * server (each only when asked for), in a process group apart from the terminal's, so a Ctrl-C reaches
 * only the launcher, which stops the API and the workers first and this host last. SIGTERM stops Temporal,
 * then PostgreSQL. Reports the addresses to its parent over IPC.
 *   node --import tsx scripts/lib/infrastructureHost.ts '{"postgres":{...},"temporal":{...}}'
 */
import { stopWithParent } from '../../src/stopWithParent';
import { startEmbeddedPostgres, startTemporalDevServer, type RunningService, type TemporalDevServerOptions } from './devServices';

export interface InfrastructureRequest {
  postgres?: { databaseDir: string; port: number; database: string };
  temporal?: TemporalDevServerOptions;
}

export interface InfrastructureReady {
  ready: 'infrastructure';
  postgres?: string;
  temporal?: string;
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2]) as InfrastructureRequest;
  const started: RunningService[] = [];
  let stopping = false;
  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    // Temporal before PostgreSQL: the reverse of the start.
    for (const service of started.reverse()) await service.stop().catch((error) => console.error(error));
    process.exit(exitCode);
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, () => void stop(0));
  stopWithParent(() => void stop(0));
  try {
    const postgres =
      request.postgres && (await startEmbeddedPostgres(request.postgres.databaseDir, request.postgres.port, request.postgres.database));
    if (postgres) started.push(postgres);
    const temporal = request.temporal && (await startTemporalDevServer(request.temporal));
    if (temporal) started.push(temporal);
    const ready: InfrastructureReady = { ready: 'infrastructure', postgres: postgres?.address, temporal: temporal?.address };
    process.send?.(ready);
  } catch (error) {
    console.error(`infrastructure failed to start: ${(error as Error).message}`);
    await stop(1);
  }
}

void main();
