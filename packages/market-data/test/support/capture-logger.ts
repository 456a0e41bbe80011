import { createLogger, type Logger } from '@books/core';

/** A real (redacting) logger whose JSON lines are kept in `lines`. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger(
    { service: 'market-data-test' },
    { level: 'debug', destination: { write: (line: string) => lines.push(line) } },
  );
  return { logger, lines };
}
