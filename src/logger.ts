/**
 * Structured logs (pino); each module adds task_id / symbol through child loggers. JSON for machines;
 * on a terminal (or LOG_FORMAT=pretty) the same records are printed as readable lines.
 */
import pino from 'pino';

function prettyOnTerminal(): pino.TransportSingleOptions | undefined {
  const format = process.env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (format !== 'pretty') return undefined;
  return { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } };
}

export function createLogger(name: string): pino.Logger {
  return pino({ name, level: process.env.LOG_LEVEL ?? 'info', transport: prettyOnTerminal() });
}
