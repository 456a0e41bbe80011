import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Flow } from '@books/core';
import { uniqueName } from '@books/testkit';
import { LocalWorld } from '../../src/daily-run/local-world';
import { STRATEGIES_DIR, sampleBarsDir } from '../e2e/support';

export const ALLOCATIONS = { momentum: '0.30', mean_reversion: '0.30', breakout: '0.40' } as const;
export type ExampleId = keyof typeof ALLOCATIONS;

/** A strategies directory with the three example strategies and a config giving each its flow. */
export function strategiesWith(flows: Record<ExampleId, Flow>): string {
  const dir = mkdtempSync(join(tmpdir(), 'books-legacy-strategies-'));
  for (const id of Object.keys(ALLOCATIONS))
    copyFileSync(join(STRATEGIES_DIR, `${id}.clj`), join(dir, `${id}.clj`));
  const config = {
    capitalPolicy: { mode: 'drift', threshold: '0.10' },
    minTradeNotional: '1',
    runWindowMinutes: 30,
    onReconciliationBreak: 'block-strategy',
    strategies: (Object.keys(ALLOCATIONS) as ExampleId[]).map((id) => ({
      file: `${id}.clj`,
      allocation: ALLOCATIONS[id],
      flow: flows[id],
    })),
  };
  writeFileSync(join(dir, 'config.local.json'), JSON.stringify(config, null, 2));
  return dir;
}

export async function openLegacyWorld(
  prefix: string,
  flows: Record<ExampleId, Flow>,
): Promise<{ world: LocalWorld; strategiesDir: string; flowFlagsFile: string }> {
  const dynamodb = process.env.BOOKS_TEST_DYNAMODB_ENDPOINT;
  const sqs = process.env.BOOKS_TEST_SQS_ENDPOINT;
  if (!dynamodb || !sqs) throw new Error('the embedded test stack is not running');
  const strategiesDir = strategiesWith(flows);
  const flowFlagsFile = join(strategiesDir, 'flows.json');
  const world = await LocalWorld.open({
    endpoints: { dynamodb, sqs },
    stage: uniqueName(prefix)
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 28),
    barsDir: sampleBarsDir(),
    strategiesDir,
    configFile: 'config.local.json',
    flowFlagsFile,
    logger: createLogger(
      { service: 'e2e-legacy' },
      {
        level: process.env.E2E_LOG ? 'info' : 'warn',
        destination: { write: (l: string) => (process.env.E2E_LOG ? process.stderr.write(l) : true) },
      },
    ),
  });
  return { world, strategiesDir, flowFlagsFile };
}
