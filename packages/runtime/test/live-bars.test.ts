import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryPaperBrokerStore, PaperBroker, staticAssets, staticPrices } from '@books/broker';
import { ManualClock, Money, Price, Symbol, TradingDate } from '@books/core';
import { CsvBarStore } from '@books/market-data';
import { liveBars } from '../src/live-bars';

function store(): CsvBarStore {
  const dir = mkdtempSync(join(tmpdir(), 'books-live-'));
  writeFileSync(
    join(dir, 'SPY.csv'),
    'date,open,high,low,close,volume\n2026-11-20,1,1,1,100.5,10\n2026-11-23,1,1,1,101.25,10\n',
  );
  return new CsvBarStore(dir);
}

function broker(clock: ManualClock) {
  return new PaperBroker({
    store: new InMemoryPaperBrokerStore(),
    prices: staticPrices(new Map([[Symbol('SPY'), Price.parse('102.75')]])),
    assets: staticAssets([], { tradable: true, fractionable: true }),
    calendar: [{ date: TradingDate('2026-11-24'), open: '09:30', close: '16:00' }],
    clock,
    initialCash: Money.parse('1000'),
  });
}

describe('live bars', () => {
  it('end with today’s latest trade as a provisional close at the run time of day', async () => {
    const clock = new ManualClock('2026-11-24T20:30:00Z');
    const bars = liveBars(store(), broker(clock), clock);
    const spy = await bars.bars('SPY', '2026-11-24');
    expect(spy.map((b) => [b.date, b.closeText])).toEqual([
      ['2026-11-20', '100.5'],
      ['2026-11-23', '101.25'],
      ['2026-11-24', '102.75'],
    ]);
    expect(await bars.calendar('2026-11-24')).toEqual(['2026-11-20', '2026-11-23', '2026-11-24']);
  });

  it('give completed bars only for an earlier date', async () => {
    const clock = new ManualClock('2026-11-24T20:30:00Z');
    const bars = liveBars(store(), broker(clock), clock);
    expect((await bars.bars('SPY', '2026-11-23')).map((b) => b.date)).toEqual(['2026-11-20', '2026-11-23']);
  });
});
