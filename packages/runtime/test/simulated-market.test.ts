import { marketTimeToInstant, Symbol, TradingDate } from '@books/core';
import { type Bar, type BarStore, barsUntil } from '@books/market-data';
import { barClosePrices, simulatedMarket } from '../src';
import { barCalendar } from '../src/simulated-market';

const bar = (date: string, close: string): Bar => ({
  date: TradingDate(date),
  open: 1,
  high: 1,
  low: 1,
  close: Number(close),
  closeText: close,
  volume: 1,
});

describe('the simulated market’s prices', () => {
  it('prices a symbol at the close of the clock’s day, reading the bars once per symbol and day', async () => {
    const series = [bar('2024-01-02', '10.5'), bar('2024-01-03', '11.25')];
    const asked: string[] = [];
    const store: BarStore = {
      async bars(symbol, until) {
        asked.push(`${symbol} ${until}`);
        return symbol === 'SPY' ? barsUntil(series, until) : [];
      },
      async calendar() {
        return [];
      },
      async symbols() {
        return ['SPY'];
      },
    };
    const prices = barClosePrices(store);
    const at = (date: string, time: string) => marketTimeToInstant(TradingDate(date), time);
    expect((await prices.latestPrice(Symbol('SPY'), at('2024-01-02', '15:30')))?.toString()).toBe('10.5');
    expect((await prices.latestPrice(Symbol('SPY'), at('2024-01-02', '16:00')))?.toString()).toBe('10.5');
    expect((await prices.latestPrice(Symbol('SPY'), at('2024-01-03', '15:30')))?.toString()).toBe('11.25');
    // A day without its own bar is priced at the last close before it.
    expect((await prices.latestPrice(Symbol('SPY'), at('2024-01-04', '15:30')))?.toString()).toBe('11.25');
    expect(await prices.latestPrice(Symbol('QQQ'), at('2024-01-02', '15:30'))).toBeUndefined();
    expect(await prices.latestPrice(Symbol('QQQ'), at('2024-01-02', '15:31'))).toBeUndefined();
    expect(asked).toEqual(['SPY 2024-01-02', 'SPY 2024-01-03', 'SPY 2024-01-04', 'QQQ 2024-01-02']);
  });
});

describe('the simulated market over a bar store', () => {
  it('reads nothing when made, lists the store before its first read, once, and lists again after a listing that failed', async () => {
    const asked: string[] = [];
    let listings = 0;
    const store: BarStore = {
      async bars(symbol) {
        asked.push(`bars ${symbol}`);
        return [bar('2024-01-02', '10.5')];
      },
      async calendar() {
        asked.push('calendar');
        return [TradingDate('2024-01-02')];
      },
      async symbols() {
        asked.push('symbols');
        if (++listings === 1) throw new Error('cannot list the bars directory');
        return ['SPY'];
      },
    };
    const market = simulatedMarket(store);
    expect(asked).toEqual([]);
    await expect(market.calendar.days()).rejects.toThrow('cannot list the bars directory');
    expect(asked).toEqual(['symbols']);
    expect(await market.calendar.days()).toEqual([{ date: '2024-01-02', open: '09:30', close: '16:00' }]);
    expect(await market.assets.asset(Symbol('SPY'))).toMatchObject({ tradable: true, fractionable: true });
    const at = marketTimeToInstant(TradingDate('2024-01-02'), '15:30');
    expect((await market.prices.latestPrice(Symbol('SPY'), at))?.toString()).toBe('10.5');
    expect(asked).toEqual(['symbols', 'symbols', 'calendar', 'bars SPY', 'bars SPY']);
  });
});

describe('the simulated market’s day of one date', () => {
  const dates = [TradingDate('2024-01-02'), TradingDate('2024-01-04')];
  function store(asked: string[], lookup: boolean): BarStore {
    return {
      async bars() {
        return [];
      },
      async calendar(until) {
        asked.push('calendar');
        return dates.filter((d) => until === undefined || d <= until);
      },
      async symbols() {
        return ['SPY'];
      },
      ...(lookup
        ? {
            async isTradingDay(date: TradingDate) {
              asked.push(`day ${date}`);
              return dates.includes(date);
            },
          }
        : {}),
    };
  }

  it.each([
    ['the store’s own lookup', true],
    ['the store’s calendar', false],
  ])('is the day the calendar lists, told by %s', async (_how, lookup) => {
    const asked: string[] = [];
    const market = simulatedMarket(store(asked, lookup));
    const calendar = await barCalendar(store([], lookup));
    const asks = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'].map(TradingDate);
    for (const date of asks)
      expect(await market.calendar.day(date)).toEqual(calendar.find((d) => d.date === date));
    expect(asked).toEqual(lookup ? asks.map((d) => `day ${d}`) : asks.map(() => 'calendar'));
  });
});
