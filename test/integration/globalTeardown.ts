import { rmSync } from 'node:fs';
import type { RunningService } from '../../scripts/lib/devServices';

export default async function globalTeardown(): Promise<void> {
  const { temporal, database } = (globalThis as Record<string, any>).__integration as {
    temporal: RunningService;
    database: { drop: () => Promise<void>; service?: RunningService };
  };
  await temporal.stop();
  await database.drop();
  await database.service?.stop();
  if (process.env.TEST_SCRATCH) rmSync(process.env.TEST_SCRATCH, { recursive: true, force: true });
}
