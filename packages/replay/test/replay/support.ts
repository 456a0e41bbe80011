import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@books/core';
import { STRATEGIES_DIR, sampleBarsDir, uniqueName } from '@books/testkit';
import type { ReplayOptions } from '../../src/replay/engine';
import type { ReplayArgs } from '../../src/replay/state';

/** A replay of the example strategies over `days` on its own stage of the embedded test stack. */
export function replayOptions(
  prefix: string,
  days: readonly string[],
  args: Partial<ReplayArgs> = {},
): ReplayOptions {
  const dynamodb = process.env.BOOKS_TEST_DYNAMODB_ENDPOINT;
  const sqs = process.env.BOOKS_TEST_SQS_ENDPOINT;
  if (!dynamodb || !sqs) throw new Error('the embedded test stack is not running');
  const stage = uniqueName(prefix)
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 28);
  return {
    endpoints: { dynamodb, sqs },
    stage,
    args: {
      from: days[0] ?? '',
      to: days[days.length - 1] ?? '',
      config: join(STRATEGIES_DIR, 'config.local.json'),
      data: sampleBarsDir(),
      initialCash: '100000',
      ...args,
    },
    stateFile: join(mkdtempSync(join(tmpdir(), 'books-replay-')), `replay-${stage}.json`),
    logger: createLogger({ service: 'replay-test' }, { level: 'warn', destination: { write: () => true } }),
  };
}
