import pino, { type Logger } from 'pino';

export type { Logger };

/** Fields that must never reach a log line, wherever they appear. */
export const REDACTED_PATHS = [
  'apiKey',
  'apiSecret',
  'secretKey',
  'authorization',
  'password',
  'token',
  '*.apiKey',
  '*.apiSecret',
  '*.secretKey',
  '*.authorization',
  '*.password',
  '*.token',
  'headers["apca-api-key-id"]',
  'headers["apca-api-secret-key"]',
  '*.headers["apca-api-key-id"]',
  '*.headers["apca-api-secret-key"]',
];

export interface LogContext {
  readonly runId?: string;
  readonly strategyId?: string;
  readonly correlationId?: string;
  readonly [key: string]: unknown;
}

/**
 * JSON logs on stdout (or the given destination). Every line carries the run, strategy and
 * correlation ids bound here or on a child; secrets are redacted by path.
 */
export function createLogger(
  base: LogContext & { service: string },
  options: { level?: string; destination?: pino.DestinationStream } = {},
): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base,
      // The three ids appear on every line: null until a child (or the call) binds them. Added
      // only when absent, so that no line carries a key twice.
      mixin: (line: object, _level: number, logger: Logger) => {
        const bound = logger.bindings();
        const missing: Record<string, null> = {};
        for (const key of CORRELATION_KEYS) if (!(key in bound) && !(key in line)) missing[key] = null;
        return missing;
      },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}

const CORRELATION_KEYS = ['runId', 'strategyId', 'correlationId'] as const;
