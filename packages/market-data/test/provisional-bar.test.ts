import { Price, TradingDate } from '@books/core';
import { type Bar, type LatestTrade, withProvisionalBar } from '../src';
import { MemoryBarStore } from './support/memory-bar-store';

const bar = (date: string, closeText: string): Bar => ({
  date: TradingDate(date),
  open: 1,
  high: 1,
  low: 1,
  close: Number(closeText),
  closeText,
  volume: 10,
});

const trade = (symbol: string, priceText: string, at: string): LatestTrade => ({
  symbol,
  price: Price.parse(priceText),
  priceText,
  at: new Date(at),
});

const TODAY = TradingDate('2024-01-05');
// 15:30 New York on 2024-01-05.
const RUN_TIME = '2024-01-05T20:30:00Z';

function storeWith(): MemoryBarStore {
  return new MemoryBarStore(
    new Map([
      ['SPY', [bar('2024-01-03', '470'), bar('2024-01-04', '471.5')]],
      ['BRK/B', [bar('2024-01-04', '360'), bar('2024-01-05', '361.25')]],
    ]),
  );
}

describe('withProvisionalBar', () => {
  it('ends today’s bars with a provisional bar at the latest trade price, exactly', async () => {
    const live = withProvisionalBar(
      storeWith(),
      new Map([['SPY', trade('SPY', '472.123456', RUN_TIME)]]),
      TODAY,
    );

    const bars = await live.bars('SPY');

    expect(bars.map((b) => [b.date, b.closeText])).toEqual([
      ['2024-01-03', '470'],
      ['2024-01-04', '471.5'],
      ['2024-01-05', '472.123456'],
    ]);
    expect(bars.at(-1)).toEqual({
      date: '2024-01-05',
      open: 472.123456,
      high: 472.123456,
      low: 472.123456,
      close: 472.123456,
      closeText: '472.123456',
      volume: 0,
    });
    expect((await live.bars('SPY', '2024-01-05')).at(-1)?.closeText).toBe('472.123456');
  });

  it('keeps a completed bar for today instead of the trade', async () => {
    const live = withProvisionalBar(
      storeWith(),
      new Map([['BRK/B', trade('BRK/B', '365', RUN_TIME)]]),
      TODAY,
    );
    expect((await live.bars('BRK/B')).map((b) => b.closeText)).toEqual(['360', '361.25']);
  });

  it('shows no provisional bar to a look at an earlier date', async () => {
    const live = withProvisionalBar(storeWith(), new Map([['SPY', trade('SPY', '472', RUN_TIME)]]), TODAY);
    expect((await live.bars('SPY', '2024-01-04')).map((b) => b.date)).toEqual(['2024-01-03', '2024-01-04']);
    expect(await live.calendar('2024-01-04')).toEqual(['2024-01-03', '2024-01-04']);
  });

  it('ignores a trade that was not made today', async () => {
    const live = withProvisionalBar(
      storeWith(),
      new Map([['SPY', trade('SPY', '471.9', '2024-01-04T20:59:00Z')]]),
      TODAY,
    );
    expect((await live.bars('SPY')).map((b) => b.date)).toEqual(['2024-01-03', '2024-01-04']);
    expect(await live.calendar()).toEqual(['2024-01-03', '2024-01-04', '2024-01-05']);
  });

  it('adds today to the calendar when a trade was made today', async () => {
    const store = new MemoryBarStore(new Map([['SPY', [bar('2024-01-04', '471.5')]]]));
    const live = withProvisionalBar(store, new Map([['SPY', trade('SPY', '472', RUN_TIME)]]), TODAY);
    expect(await live.calendar()).toEqual(['2024-01-04', '2024-01-05']);
    expect(await live.symbols()).toEqual(['SPY']);
  });

  it('leaves the plain store untouched for replays', async () => {
    const store = storeWith();
    withProvisionalBar(store, new Map([['SPY', trade('SPY', '472', RUN_TIME)]]), TODAY);
    expect((await store.bars('SPY')).map((b) => b.date)).toEqual(['2024-01-03', '2024-01-04']);
  });
});
