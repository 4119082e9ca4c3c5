/** Structured JSON logs (pino); each module adds task_id / symbol through child loggers. */
import pino from 'pino';

export function createLogger(name: string): pino.Logger {
  return pino({ name, level: process.env.LOG_LEVEL ?? 'info' });
}
