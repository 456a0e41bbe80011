import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryPaperBrokerStore, PaperBroker, staticAssets, staticPrices } from '@books/broker';
import { ManualClock, Money, Price, TradingDate } from '@books/core';
import { barPortFrom } from '@books/dsl';
import { CsvBarStore, generateSampleBars, sampleTradingDays, withProvisionalBar } from '@books/market-data';
import { DslEvaluator } from '../../src/adapters/dsl-evaluator';
import { previousTradingDayOf } from '../../src/function';

const strategiesDir = join(__dirname, '../../../../strategies');
const dataDir = mkdtempSync(join(tmpdir(), 'books-stale-'));
for (const [symbol, csv] of generateSampleBars(sampleTradingDays('2024-01-02', '2025-06-30')))
  writeFileSync(join(dataDir, `${symbol}.csv`), csv);
const read = async (file: string) => readFileSync(join(strategiesDir, file), 'utf8');

/** The market calendar of a broker whose sessions run to the end of 2025. */
const calendar = previousTradingDayOf(
  new PaperBroker({
    store: new InMemoryPaperBrokerStore(),
    clock: new ManualClock('2025-07-01T00:00:00Z'),
    initialCash: Money.parse('0'),
    prices: staticPrices(new Map()),
    assets: staticAssets([]),
    calendar: sampleTradingDays('2025-06-01', '2025-12-31').map((date) => ({
      date,
      open: '09:30',
      close: '16:00',
    })),
  }),
);

describe('fresh data or no trade', () => {
  const evaluator = new DslEvaluator(read, barPortFrom(new CsvBarStore(dataDir)), undefined, {
    previousTradingDay: calendar,
  });

  it("fails a strategy whose symbol's latest bar is older than the previous trading day, naming both", async () => {
    // Bars end on 2025-06-30 (Monday); 2025-07-02's previous trading day is 2025-07-01.
    const result = await evaluator.evaluate('momentum.clj', TradingDate('2025-07-02'));
    expect(result).toMatchObject({ ok: false, code: 'STALE_DATA', data: true });
    expect(!result.ok && result.message).toBe(
      "STALE_DATA: BIL's latest bar is of 2025-06-30, older than 2025-07-01 (the trading day before 2025-07-02): refresh the market data before trading",
    );
  });

  it('runs on bars that end the previous trading day, across a weekend', async () => {
    // 2025-06-30's previous trading day is 2025-06-27 (a Friday); the bar of the day itself is not needed.
    expect((await evaluator.evaluate('momentum.clj', TradingDate('2025-06-30'))).ok).toBe(true);
    expect((await evaluator.evaluate('momentum.clj', TradingDate('2025-07-01'))).ok).toBe(true);
  });

  it('fails a day the calendar does not reach when the bars are more than a week old', async () => {
    // A dry run on 2026-12-05 over bars ending 2025-06-30: the calendar has no day before it.
    const result = await evaluator.evaluate('momentum.clj', TradingDate('2026-12-05'));
    expect(result).toMatchObject({ ok: false, code: 'STALE_DATA' });
    expect(!result.ok && result.message).toMatch(/2025-06-30, older than 2026-11-28/);
  });

  it("is not fooled by a live run's provisional bar for today: the completed bars decide", async () => {
    const store = new CsvBarStore(dataDir);
    const today = TradingDate('2025-07-08');
    const trades = new Map(
      ['SPY', 'QQQ', 'TLT', 'IEF', 'GLD', 'BIL'].map((symbol) => [
        symbol,
        { symbol, price: Price.parse('100'), priceText: '100', at: new Date('2025-07-08T19:00:00Z') },
      ]),
    );
    const live = new DslEvaluator(read, barPortFrom(withProvisionalBar(store, trades, today)), undefined, {
      previousTradingDay: calendar,
      completedBars: barPortFrom(store),
    });
    const result = await live.evaluate('momentum.clj', today);
    expect(result).toMatchObject({ ok: false, code: 'STALE_DATA' });
    expect(!result.ok && result.message).toMatch(/latest bar is of 2025-06-30, older than 2025-07-07/);
  });
});
