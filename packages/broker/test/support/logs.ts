import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@books/core';

/** A logger whose lines are kept in memory, for asserting on what was (not) logged. */
export function capturingLogger(level = 'debug'): { logger: Logger; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = createLogger({ service: 'broker-test' }, { level, destination });
  return { logger, text: () => chunks.join('') };
}
