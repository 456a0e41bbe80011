import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, Money, Quantity, TradingDate } from '@books/core';
import { generateSampleBars, sampleTradingDays } from '@books/market-data/src/sample-bars';
import { loadBook } from '@books/runtime';
import { uniqueName } from '@books/testkit';
import { LocalWorld } from '../../src/daily-run/local-world';

const strategiesDir = join(__dirname, '../../../../strategies');
const barsDir = mkdtempSync(join(tmpdir(), 'books-e2e-bars-'));
const days = sampleTradingDays('2024-01-02', '2024-12-31');
for (const [symbol, csv] of generateSampleBars(days)) writeFileSync(join(barsDir, `${symbol}.csv`), csv);

function endpoints() {
  const dynamodb = process.env.BOOKS_TEST_DYNAMODB_ENDPOINT;
  const sqs = process.env.BOOKS_TEST_SQS_ENDPOINT;
  if (!dynamodb || !sqs) throw new Error('the embedded test stack is not running');
  return { dynamodb, sqs };
}

describe('the daily cycle on the embedded stack', () => {
  jest.setTimeout(180_000);

  it('runs consecutive days of the example strategies and the books explain the broker to the cent', async () => {
    const stage = uniqueName('e2e')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 30);
    const logLines: string[] = [];
    const world = await LocalWorld.open({
      endpoints: endpoints(),
      stage,
      barsDir,
      strategiesDir,
      configFile: 'config.local.json',
      logger: createLogger({ service: 'e2e' }, { destination: { write: (l: string) => logLines.push(l) } }),
    });
    const simulated = days.slice(
      days.indexOf(TradingDate('2024-10-01')),
      days.indexOf(TradingDate('2024-10-01')) + 5,
    );
    for (const day of simulated) {
      const result = await world.runDay(day);
      expect(result.drain.failed).toBe(0);
    }

    const { services } = world;
    const positions = await services.broker.getPositions();
    const account = await services.broker.getAccount();
    const sids = ['momentum', 'mean_reversion', 'breakout'] as const;
    const books = await Promise.all(sids.map((s) => loadBook(services.books, s as never)));
    const owned = new Map<string, Quantity>();
    for (const b of books)
      for (const lot of b.book.lots)
        owned.set(lot.symbol, (owned.get(lot.symbol) ?? Quantity.ZERO).plus(lot.openQty));
    expect(Object.fromEntries([...owned].map(([s, q]) => [s, q.toString()]))).toEqual(
      Object.fromEntries(positions.map((p) => [p.symbol, p.qty.toString()])),
    );
    const bookCash = Money.sum(books.map((b) => b.book.cash));
    const funded = Money.sum(books.map((b) => b.book.cash)).plus(Money.ZERO);
    expect(bookCash.lte(account.cash)).toBe(true);
    expect(funded.isPositive() || positions.length > 0).toBe(true);
    expect(logLines.some((l) => l.includes('"event":"fill-recorded"'))).toBe(true);
  });
});
