import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, Decimal, Money, type TradingDate } from '@books/core';
import { ActivityRepository, loadBook, PoolRepository } from '@books/ledger-client';
import { SAMPLE_CORPORATE_ACTIONS } from '@books/market-data';
import { reconcileAccount, reconciliationPorts, verifyBook } from '@books/reconciliation';
import { uniqueName } from '@books/testkit';
import { LocalWorld } from '../../src/daily-run/local-world';
import { ensureSampleBars, sampleCalendar } from '../../src/daily-run/sample-days';
import { checkInvariants, STRATEGIES_DIR, STRATEGY_IDS } from './support';

/**
 * The sample data itself (as `pnpm start` and `books replay` write it), replayed with the example
 * strategies over the default sample window (2025-07-30 → 2025-11-17): the books holding QQQ and
 * TLT on the ex dates have their lots split, the dividend, deposit and withdrawal post, and every
 * day reconciles.
 */
const splits = SAMPLE_CORPORATE_ACTIONS.splits;
const DAYS = sampleCalendar().filter((d) => d >= '2025-07-30' && d <= '2025-11-17');

type LotLine = { readonly qty: Decimal; readonly cost: Money };

describe('a replay of the default sample window', () => {
  it('splits the holding books’ lots (quantity × ratio, cost unchanged) and reconciles MATCH every day', async () => {
    const dynamodb = process.env.BOOKS_TEST_DYNAMODB_ENDPOINT;
    const sqs = process.env.BOOKS_TEST_SQS_ENDPOINT;
    if (!dynamodb || !sqs) throw new Error('the embedded test stack is not running');
    expect(splits.map((s) => `${s.symbol} ${s.to}:${s.from}`)).toEqual(['QQQ 2:1', 'TLT 1:10']);
    const world = await LocalWorld.open({
      endpoints: { dynamodb, sqs },
      stage: uniqueName('splits')
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-')
        .slice(0, 28),
      barsDir: ensureSampleBars(mkdtempSync(join(tmpdir(), 'books-sample-'))).dir,
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
    const lotsOf = async (symbol: string) => {
      const out = new Map<string, LotLine[]>();
      for (const sid of STRATEGY_IDS) {
        const { book } = await loadBook(world.services.books, sid);
        const lots = book.lots.filter((l) => l.symbol === symbol);
        if (lots.length > 0)
          out.set(
            sid,
            lots.map((l) => ({ qty: l.openQty.value, cost: l.cost })),
          );
      }
      return out;
    };

    const ports = reconciliationPorts(world.services);
    const notMatching: string[] = [];
    const splitChecks: string[] = [];
    for (const [i, date] of DAYS.entries()) {
      const split = splits.find((s) => s.exDate === date);
      const before = split && i > 0 ? await lotsOf(split.symbol) : undefined;
      await world.runDay(date as TradingDate);
      const { summary } = await reconcileAccount(ports, { date });
      if (!summary.ok || summary.cash.status !== 'MATCH' || summary.activities.length > 0)
        notMatching.push(`${date}: ${JSON.stringify(summary)}`);
      if (!split || !before) continue;
      // No example strategy trades the split symbol on its ex date, so the lots after the day
      // are the split lots.
      const after = await lotsOf(split.symbol);
      const ratio = new Decimal(split.to).dividedBy(split.from);
      expect(before.size).toBeGreaterThan(0);
      expect([...after.keys()]).toEqual([...before.keys()]);
      for (const [sid, lots] of before) {
        const splitLots = after.get(sid) ?? [];
        expect(splitLots).toHaveLength(lots.length);
        lots.forEach((lot, k) => {
          const now = splitLots[k];
          // A quantity keeps 9 decimals: the split lot is the exact product, truncated.
          expect(now?.qty.toFixed()).toBe(
            lot.qty.times(ratio).toDecimalPlaces(9, Decimal.ROUND_DOWN).toFixed(),
          );
          expect(now?.cost.toString()).toBe(lot.cost.toString());
        });
        splitChecks.push(`${date} ${sid} ${lots.length} lot(s) × ${ratio}`);
      }
    }
    if (process.env.E2E_LOG) process.stderr.write(`${splitChecks.join('\n')}\n`);
    expect(notMatching).toEqual([]);
    expect(splitChecks.length).toBeGreaterThanOrEqual(2);

    const activities = await new ActivityRepository(world.services.table, world.services.books).list();
    expect(
      activities.map((a) => `${a.date} ${a.activityType} ${a.symbol ?? '-'} ${a.outcome} ${a.target}`),
    ).toEqual([
      '2025-08-01 CSD - posted pool',
      '2025-08-20 SPLIT QQQ posted books',
      '2025-08-25 SPLIT TLT posted books',
      '2025-10-31 DIV SPY posted books',
      '2025-11-14 CSW - posted pool',
    ]);
    expect((await new PoolRepository(world.services.table).read())?.cash.isNegative()).toBe(false);
    for (const sid of STRATEGY_IDS) expect((await verifyBook(world.services, sid)).differences).toEqual([]);
    expect(await checkInvariants(world.services, Money.parse('100000'))).toEqual([]);
  }, 150_000);
});
