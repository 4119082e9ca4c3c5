/** Backup activities: thin wrappers over storage/backup, each a resumable step of backupWorkflow. */
import { Context } from '@temporalio/activity';
import type { BackupPlan, BackupTally } from '../contracts/backup';
import { backupPrefix, backupSourcePrefixes, dumpDatabase, finishBackup, pruneBackups, readBackupManifest } from '../storage/backup';
import type { ActivityDependencies } from './dependencies';

/** Tells Temporal the activity is alive; the SDK throttles the calls. */
const heartbeat = () => Context.current().heartbeat();

export function createBackupActivities({ config, store, pool, logger }: ActivityDependencies) {
  return {
    /** Dumps the database (once per date) and says what is left to copy. */
    async startBackup({ date }: { date: string }): Promise<BackupPlan> {
      const finished = await readBackupManifest(store, date).then(
        () => true,
        () => false,
      );
      const summary = await dumpDatabase({ store, pool, date, databaseUrl: config.DATABASE_URL, onProgress: heartbeat });
      const plan = {
        already_finished: finished,
        prefixes: finished ? [] : await backupSourcePrefixes(store),
        tables: summary.tables.length,
        rows: summary.tables.reduce((sum, table) => sum + table.rows, 0),
      };
      logger.info({ date, ...plan, prefixes: plan.prefixes.length }, 'backup started');
      return plan;
    },

    /** Copies some source prefixes into the backup; retried, it skips what is already copied. */
    async backupPrefixes({ date, prefixes }: { date: string; prefixes: string[] }): Promise<BackupTally> {
      const total: BackupTally = { files: 0, bytes: 0, copied: 0, skipped: 0 };
      for (const prefix of prefixes) {
        const part = await backupPrefix({ store, date, prefix, onProgress: heartbeat });
        for (const field of ['files', 'bytes', 'copied', 'skipped'] as const) total[field] += part[field];
        if (part.vanished.length > 0) logger.info({ date, prefix, vanished: part.vanished.length }, 'files removed while the backup ran');
      }
      return total;
    },

    async finishBackup({ date }: { date: string }): Promise<{ manifest_files: number }> {
      const manifest = await finishBackup({ store, date });
      logger.info({ date, files: manifest.files.length, ...manifest.consistency }, 'backup finished');
      return { manifest_files: manifest.files.length };
    },

    async pruneBackups({ today }: { today: string }): Promise<{ kept: string[]; removed: string[] }> {
      const pruned = await pruneBackups({ store, today, retention: config.BACKUP_RETENTION });
      logger.info({ today, ...pruned }, 'backups pruned');
      return pruned;
    },
  };
}
