import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runActivities } from '@books/cli';
import { createLogger, Money, Symbol, type TradingDate } from '@books/core';
import { ActivityRepository, PoolRepository } from '@books/ledger-client';
import {
  CORPORATE_ACTIONS_FILE,
  type CorporateActions,
  formatCorporateActions,
  generateSampleBars,
} from '@books/market-data';
import { reconcileAccount, reconciliationPorts, verifyBook } from '@books/reconciliation';
import { uniqueName } from '@books/testkit';
import { LocalWorld } from '../../src/daily-run/local-world';
import { checkInvariants, SAMPLE_DAYS, STRATEGIES_DIR, STRATEGY_IDS } from './support';

/**
 * The sample's kinds of actions (a dividend on an ETF the examples hold, a 2:1 split, a 1:10
 * reverse split of fractional holdings, a deposit, a withdrawal) within three weeks of the e2e sample
 * range, so the replay stays short; the raw bars show the splits as the sample's do.
 */
const DAYS = SAMPLE_DAYS.filter((d) => d >= '2024-06-03' && d <= '2024-06-21');
const day = (i: number): TradingDate => DAYS[i] as TradingDate;
const ACTIONS: CorporateActions = {
  cash: [
    { date: day(1), type: 'deposit', amount: '10000' },
    { date: day(12), type: 'withdrawal', amount: '5000' },
  ],
  splits: [
    { symbol: Symbol('QQQ'), exDate: day(3), from: '1', to: '2' },
    { symbol: Symbol('TLT'), exDate: day(9), from: '10', to: '1' },
  ],
  dividends: [
    { symbol: Symbol('SPY'), exDate: day(4), recordDate: day(4), payDate: day(7), amountPerShare: '1.75' },
  ],
};

function barsWithActions(): string {
  const dir = mkdtempSync(join(tmpdir(), 'books-activities-bars-'));
  for (const [symbol, csv] of generateSampleBars(SAMPLE_DAYS, undefined, ACTIONS))
    writeFileSync(join(dir, `${symbol}.csv`), csv);
  writeFileSync(join(dir, CORPORATE_ACTIONS_FILE), formatCorporateActions(ACTIONS));
  return dir;
}

describe('a replay through corporate actions and account cash', () => {
  it('posts each activity once, to the books that held the symbol or the pool, and reconciles MATCH every day', async () => {
    const dynamodb = process.env.BOOKS_TEST_DYNAMODB_ENDPOINT;
    const sqs = process.env.BOOKS_TEST_SQS_ENDPOINT;
    if (!dynamodb || !sqs) throw new Error('the embedded test stack is not running');
    const world = await LocalWorld.open({
      endpoints: { dynamodb, sqs },
      stage: uniqueName('act')
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-')
        .slice(0, 28),
      barsDir: barsWithActions(),
      strategiesDir: STRATEGIES_DIR,
      configFile: 'config.local.json',
      logger: createLogger(
        { service: 'e2e' },
        {
          level: 'warn',
          destination: { write: (l: string) => (process.env.E2E_LOG ? process.stderr.write(l) : true) },
        },
      ),
    });
    const ports = reconciliationPorts(world.services);
    const notMatching: string[] = [];
    const held: string[] = [];
    for (const date of DAYS) {
      await world.runDay(date);
      const { summary } = await reconcileAccount(ports, { date });
      if (!summary.ok || summary.cash.status !== 'MATCH' || summary.activities.length > 0)
        notMatching.push(`${date}: ${JSON.stringify(summary)}`);
      const positions = await world.services.broker.getPositions();
      held.push(`${date} ${positions.map((p) => `${p.symbol}:${p.qty}`).join(' ')}`);
    }
    if (process.env.E2E_LOG) process.stderr.write(`${held.join('\n')}\n`);
    expect(notMatching).toEqual([]);

    const activities = await new ActivityRepository(world.services.table, world.services.books).list();
    expect({
      held,
      activities: activities.map(
        (a) => `${a.date} ${a.activityType} ${a.symbol ?? '-'} ${a.outcome} ${a.target}`,
      ),
    }).toEqual({
      held,
      activities: [
        `${day(1)} CSD - posted pool`,
        `${day(3)} SPLIT QQQ posted books`,
        `${day(7)} DIV SPY posted books`,
        `${day(9)} SPLIT TLT posted books`,
        `${day(12)} CSW - posted pool`,
      ],
    });
    expect((await new PoolRepository(world.services.table).read())?.cash.isNegative()).toBe(false);

    // The operator's queue is empty; --all lists where each went.
    const ctx = {
      services: world.services,
      stage: 'test',
      strategyIds: STRATEGY_IDS,
      calendar: DAYS,
      now: new Date(),
    };
    const printed: string[] = [];
    const io = { out: (t: string) => printed.push(t), err: (t: string) => printed.push(`ERR ${t}`) };
    expect(await runActivities(ctx, { all: false, json: false }, io)).toBe(0);
    expect(printed).toEqual(['(no activity waiting for an operator)\n']);
    printed.length = 0;
    await runActivities(ctx, { all: true, json: false }, io);
    // breakout bought its SPY after the ex date: the dividend is the two books that held it then.
    expect(printed.join('')).toMatch(
      new RegExp(`${day(7)} +DIV +SPY +118.15 +posted +mean_reversion, momentum`),
    );
    for (const sid of STRATEGY_IDS) expect((await verifyBook(world.services, sid)).differences).toEqual([]);
    // The fault suite's invariants: the pool, the cash identity, each activity ingested once.
    expect(await checkInvariants(world.services, Money.parse('100000'))).toEqual([]);
  }, 120_000);
});
