import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, marketTimeToInstant, TradingDate } from '@books/core';
import {
  CORPORATE_ACTIONS_FILE,
  formatCorporateActions,
  generateSampleBars,
  sampleCorporateActions,
  sampleTradingDays,
} from '@books/market-data';
import { uniqueName } from '@books/testkit';
import { LocalWorld } from '../../src/daily-run/local-world';
import { STRATEGIES_DIR } from './support';

function barsWithActions(): string {
  const dir = mkdtempSync(join(tmpdir(), 'books-ca-bars-'));
  const days = sampleTradingDays('2025-06-02', '2025-12-31');
  for (const [symbol, csv] of generateSampleBars(days)) writeFileSync(join(dir, `${symbol}.csv`), csv);
  writeFileSync(join(dir, CORPORATE_ACTIONS_FILE), formatCorporateActions(sampleCorporateActions(days)));
  return dir;
}

async function open(corporateActions: boolean): Promise<LocalWorld> {
  const dynamodb = process.env.BOOKS_TEST_DYNAMODB_ENDPOINT;
  const sqs = process.env.BOOKS_TEST_SQS_ENDPOINT;
  if (!dynamodb || !sqs) throw new Error('the embedded test stack is not running');
  return LocalWorld.open({
    endpoints: { dynamodb, sqs },
    stage: uniqueName('ca')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 28),
    barsDir: barsWithActions(),
    strategiesDir: STRATEGIES_DIR,
    configFile: 'config.local.json',
    corporateActions,
    logger: createLogger({ service: 'e2e' }, { level: 'warn', destination: { write: () => true } }),
  });
}

async function on(world: LocalWorld, date: string) {
  world.clock.set(marketTimeToInstant(date, '15:30'));
  await world.applyCorporateActions(TradingDate(date));
}

describe('the local runner and the simulated broker corporate actions', () => {
  it('applies the sample deposit and withdrawal on their days, once, when enabled', async () => {
    const world = await open(true);
    const broker = world.services.broker;
    await on(world, '2025-07-31');
    expect((await broker.getAccount()).cash.toString()).toBe('100000');
    await on(world, '2025-08-01');
    await on(world, '2025-08-01');
    expect((await broker.getAccount()).cash.toString()).toBe('110000');
    await on(world, '2025-11-14');
    expect((await broker.getAccount()).cash.toString()).toBe('109000');
    expect((await broker.listActivities()).map((a) => `${a.date} ${a.activityType} ${a.kind}`)).toEqual([
      '2025-08-01 CSD account_cash',
      '2025-11-14 CSW account_cash',
    ]);
  });

  it('applies nothing when turned off', async () => {
    const world = await open(false);
    await on(world, '2025-12-31');
    expect((await world.services.broker.getAccount()).cash.toString()).toBe('100000');
    expect(await world.services.broker.listActivities()).toEqual([]);
  });
});
