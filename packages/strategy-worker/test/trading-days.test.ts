import { InMemoryPaperBrokerStore, PaperBroker, staticAssets, staticPrices } from '@books/broker';
import { ManualClock, Money, TradingDate } from '@books/core';
import { sampleTradingDays } from '@books/market-data';
import { tradingDaysOf } from '../src/function';

/** A paper broker whose sessions are the sample trading days of 2023–2025, counting calendar reads. */
function countingBroker() {
  const broker = new PaperBroker({
    store: new InMemoryPaperBrokerStore(),
    clock: new ManualClock('2025-07-01T00:00:00Z'),
    initialCash: Money.parse('0'),
    prices: staticPrices(new Map()),
    assets: staticAssets([]),
    calendar: sampleTradingDays('2023-01-03', '2025-12-31').map((date) => ({
      date,
      open: '09:30',
      close: '16:00',
    })),
  });
  const reads: string[] = [];
  let failNext = false;
  return {
    reads,
    failNextRead: () => {
      failNext = true;
    },
    broker: {
      getCalendar: async (start: TradingDate, end: TradingDate) => {
        reads.push(`${start}..${end}`);
        if (failNext) {
          failNext = false;
          throw new Error('calendar unavailable');
        }
        return broker.getCalendar(start, end);
      },
    },
    direct: async (from: string, to: string) =>
      (await broker.getCalendar(TradingDate(from), TradingDate(to))).map((d) => d.date),
  };
}

describe("the rebalance schedules' trading days", () => {
  it("answers every schedule of a date from one calendar read of the 400 days before it, as the broker's own range would", async () => {
    const b = countingBroker();
    const days = tradingDaysOf(b.broker);
    const to = TradingDate('2025-06-30');
    for (const from of ['2025-06-30', '2025-06-23', '2025-03-31', '2024-07-01', '2024-05-27']) {
      expect(await days(TradingDate(from), to)).toEqual(await b.direct(from, '2025-06-30'));
    }
    expect(b.reads).toEqual(['2024-05-26..2025-06-30']);
  });

  it('reads a range that starts before the window as asked, and another date in a read of its own', async () => {
    const b = countingBroker();
    const days = tradingDaysOf(b.broker);
    expect(await days(TradingDate('2024-01-02'), TradingDate('2025-06-30'))).toEqual(
      await b.direct('2024-01-02', '2025-06-30'),
    );
    await days(TradingDate('2025-06-27'), TradingDate('2025-07-01'));
    expect(b.reads).toEqual(['2024-01-02..2025-06-30', '2024-05-27..2025-07-01']);
  });

  it('does not keep a failed read: the next schedule of that date reads again', async () => {
    const b = countingBroker();
    const days = tradingDaysOf(b.broker);
    b.failNextRead();
    await expect(days(TradingDate('2025-06-23'), TradingDate('2025-06-30'))).rejects.toThrow(
      'calendar unavailable',
    );
    expect(await days(TradingDate('2025-06-23'), TradingDate('2025-06-30'))).toEqual(
      await b.direct('2025-06-23', '2025-06-30'),
    );
    expect(b.reads).toEqual(['2024-05-26..2025-06-30', '2024-05-26..2025-06-30']);
  });
});
