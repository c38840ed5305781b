// Logs: one JSON line per meaningful event (pino), readable in development with
// pino-pretty. Secrets never reach a log line: the redaction list names every field
// where a key or passphrase could appear.

import pino, { type Logger } from 'pino';

export const REDACTED_PATHS = [
  'secretKey',
  '*.secretKey',
  'passphrase',
  '*.passphrase',
  'privateKey',
  '*.privateKey',
  'seed',
  '*.seed',
  'req.headers.authorization',
  'req.headers.cookie',
];

export type LogOptions = { level: string; pretty: boolean; name?: string };

export function createLogger(options: LogOptions, destination?: pino.DestinationStream): Logger {
  const base = {
    level: options.level,
    name: options.name ?? 'witan',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (destination !== undefined) return pino(base, destination);
  if (options.pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  return pino(base);
}

export type { Logger };
