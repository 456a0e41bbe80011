import { ManualClock, Money, TradingDate } from '@books/core';
import {
  BrokerUnavailable,
  calendarDay,
  clockFromCalendar,
  InMemoryPaperBrokerStore,
  InsufficientBuyingPower,
  PaperBroker,
  type PaperCalendarSource,
  PaperFaults,
  RateLimited,
  WashTradeRejected,
} from '../../src';
import { contractCalendar, contractPaperBroker, contractPaperOptions } from '../support/paper';
import { CONTRACT_NOW, cid, limitOrder, marketBuy, marketSell, notionalBuy } from '../support/world';

function setup(extra: Parameters<typeof contractPaperBroker>[2] = {}, now = CONTRACT_NOW) {
  const clock = new ManualClock(now);
  const store = new InMemoryPaperBrokerStore();
  const slept: number[] = [];
  const broker = contractPaperBroker(store, clock, {
    sleep: async (ms) => {
      slept.push(ms);
    },
    ...extra,
  });
  return { clock, store, broker, slept };
}

describe('paper broker fills', () => {
  it('moves a buy up and a sell down by the slippage in basis points, exactly', async () => {
    const { broker } = setup({ slippageBps: '5' });
    const buy = await broker.placeOrder(marketBuy('SPY', '2'));
    expect(buy.filledAvgPrice?.toString()).toBe('500.25');
    const sell = await broker.placeOrder(marketSell('SPY', '1'));
    expect(sell.filledAvgPrice?.toString()).toBe('499.75');
    const account = await broker.getAccount();
    expect(account.cash.toString()).toBe('9499.25');
  });

  it('charges optional fees per share and in basis points, rounded to the cent', async () => {
    const { broker } = setup({ fees: { perShare: '0.005', bps: '1' } });
    await broker.placeOrder(marketBuy('SPY', '3'));
    // 3 × 0.005 + 1500 × 0.0001 = 0.165 → 0.16 (half-even)
    expect((await broker.getAccount()).cash.toString()).toBe('8499.84');
  });

  it('sizes a notional order at the slipped price, truncated to 9 decimals', async () => {
    const { broker } = setup({ slippageBps: '10' });
    const order = await broker.placeOrder(notionalBuy('QQQ', '1000'));
    // 1000 / (410.1234567890123456789 × 1.001) = 2.4358543327…
    expect(order.filledQty.toString()).toBe('2.435854332');
    expect(order.notional?.toString()).toBe('1000');
  });

  it('keeps cash and positions as exact decimals through many small fills', async () => {
    const { broker } = setup();
    for (let i = 0; i < 10; i++) await broker.placeOrder(marketBuy('QQQ', '0.1'));
    const account = await broker.getAccount();
    expect(account.cash.toString()).toBe('9589.8765432109876543211');
    expect((await broker.getPositions())[0]?.qty.toString()).toBe('1');
  });

  it('fills a marketable limit order at once, never above its limit', async () => {
    const { broker } = setup({ slippageBps: '100' });
    const order = await broker.placeOrder(limitOrder('buy', 'SPY', '1', '502'));
    expect(order).toMatchObject({ status: 'filled' });
    expect(order.filledAvgPrice?.toString()).toBe('502');
  });
});

describe('paper broker trading calendar', () => {
  it('accepts an order while the market is closed and fills it at the next session', async () => {
    const { broker, clock } = setup({}, '2026-11-27T20:00:00Z');
    const order = await broker.placeOrder(marketBuy('SPY', '1'));
    expect(order.status).toBe('accepted');
    expect(await broker.settlePending()).toEqual([]);
    clock.set('2026-11-30T15:00:00Z');
    const settled = await broker.settlePending();
    expect(settled.map((o) => [o.id, o.status])).toEqual([[order.id, 'filled']]);
  });

  it('fills a market order accepted before the open once the session has opened', async () => {
    const { broker, clock } = setup({}, '2026-11-27T13:00:00Z');
    const order = await broker.placeOrder(marketBuy('SPY', '1'));
    expect(order.status).toBe('accepted');
    clock.set('2026-11-27T15:00:00Z');
    const [settled] = await broker.settlePending();
    expect(settled).toMatchObject({ id: order.id, status: 'filled' });
    expect((await broker.getPositions())[0]?.qty.toString()).toBe('1');
  });

  it('expires an unfilled day order after its session closes and releases its buying power', async () => {
    const { broker, clock } = setup();
    const open = await broker.placeOrder(limitOrder('buy', 'SPY', '10', '400'));
    expect((await broker.getAccount()).buyingPower.toString()).toBe('6000');
    clock.set('2026-11-27T18:00:00Z');
    const [expired] = await broker.settlePending();
    expect(expired).toMatchObject({ id: open.id, status: 'expired' });
    expect((await broker.getAccount()).buyingPower.toString()).toBe('10000');
  });
});

describe('paper broker faults', () => {
  it('fails the next call to a route with a retryable BrokerUnavailable on an injected 5xx, then recovers', async () => {
    const { broker } = setup();
    broker.faults.inject({ kind: '5xx', route: 'getAccount' });
    await expect(broker.getAccount()).rejects.toMatchObject({ name: 'BrokerUnavailable', retryable: true });
    await expect(broker.getAccount()).resolves.toBeDefined();
  });

  it('rate-limits with a retry time and does not place the order', async () => {
    const { broker } = setup();
    broker.faults.inject({ kind: '429', route: 'placeOrder', retryAfterMs: 30_000 });
    const error = await broker.placeOrder(marketBuy('SPY', '1')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimited);
    expect((error as RateLimited).retryAfter.toISOString()).toBe('2026-11-27T15:00:30.000Z');
    expect(await broker.getPositions()).toEqual([]);
  });

  it('adds latency through the injected sleep', async () => {
    const { broker, slept } = setup();
    broker.faults.inject({ kind: 'latency', latencyMs: 1500, count: 2 });
    await broker.getClock();
    await broker.getAccount();
    await broker.getAccount();
    expect(slept).toEqual([1500, 1500]);
  });

  it('times out after accepting: the order exists, and re-entering with its client id returns it without a second fill', async () => {
    const { broker } = setup();
    broker.faults.inject({ kind: 'timeout-after-accept' });
    const request = marketBuy('SPY', '2', cid('lost'));
    const error = await broker.placeOrder(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerUnavailable);
    const again = await broker.placeOrder(request);
    expect(again).toMatchObject({ alreadyExisted: true, status: 'filled' });
    expect((await broker.getPositions())[0]?.qty.toString()).toBe('2');
    expect((await broker.getAccount()).cash.toString()).toBe('9000');
  });

  it('rejects a new order as a wash trade under the wash-trade fault, but still answers a known client order id with its order', async () => {
    const { broker } = setup();
    const placed = await broker.placeOrder(marketBuy('SPY', '1', cid('known')));
    broker.faults.inject({ kind: 'wash-trade', count: 2 });
    await expect(broker.placeOrder(marketBuy('SPY', '1'))).rejects.toBeInstanceOf(WashTradeRejected);
    const again = await broker.placeOrder(marketBuy('SPY', '1', placed.clientOrderId));
    expect(again).toMatchObject({ id: placed.id, alreadyExisted: true });
    expect((await broker.getAccount()).cash.toString()).toBe('9500');
  });

  it('fills part of a market order, the rest on settlePending', async () => {
    const { broker } = setup();
    broker.faults.inject({ kind: 'partial-fill', fillRatio: '0.25' });
    const order = await broker.placeOrder(marketBuy('NVR', '7'));
    expect(order).toMatchObject({ status: 'partially_filled' });
    expect(order.filledQty.toString()).toBe('1');
    expect((await broker.listOpenOrders()).map((o) => o.id)).toEqual([order.id]);
    const [done] = await broker.settlePending();
    expect(done).toMatchObject({ status: 'filled' });
    expect(done?.filledQty.toString()).toBe('7');
    expect((await broker.getAccount()).cash.toString()).toBe('9300');
  });

  it('delays a fill until settlePending, holding its buying power meanwhile', async () => {
    const { broker } = setup();
    broker.faults.inject({ kind: 'delayed-fill' });
    const order = await broker.placeOrder(marketBuy('SPY', '4'));
    expect(order).toMatchObject({ status: 'new' });
    expect(order.filledQty.isZero()).toBe(true);
    expect((await broker.getAccount()).buyingPower.toString()).toBe('8000');
    await expect(broker.placeOrder(marketBuy('SPY', '17'))).rejects.toBeInstanceOf(InsufficientBuyingPower);
    await broker.settlePending();
    expect((await broker.getOrder(order.id)).status).toBe('filled');
    expect((await broker.getAccount()).cash.toString()).toBe('8000');
  });

  it('draws probabilistic faults from its seed: the same seed gives the same pattern', async () => {
    const pattern = async (seed: number) => {
      const { broker } = setup({ faults: new PaperFaults(seed) });
      broker.faults.inject({
        kind: '5xx',
        route: 'getClock',
        probability: 0.5,
        count: Number.POSITIVE_INFINITY,
      });
      const out: boolean[] = [];
      for (let i = 0; i < 20; i++)
        out.push(
          await broker.getClock().then(
            () => true,
            () => false,
          ),
        );
      return out;
    };
    const a = await pattern(7);
    expect(await pattern(7)).toEqual(a);
    expect(a).toContain(true);
    expect(a).toContain(false);
    expect(await pattern(8)).not.toEqual(a);
  });
});

describe('paper broker shared by several processes', () => {
  it('places a client order id once when two brokers race on one store', async () => {
    const clock = new ManualClock(CONTRACT_NOW);
    const store = new InMemoryPaperBrokerStore();
    const a = contractPaperBroker(store, clock, { newOrderId: () => `a-${Math.random()}` });
    const b = contractPaperBroker(store, clock, { newOrderId: () => `b-${Math.random()}` });
    const request = marketBuy('SPY', '2', cid('race'));
    const results = await Promise.all([a.placeOrder(request), b.placeOrder(request), a.placeOrder(request)]);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.alreadyExisted)).toHaveLength(1);
    expect((await a.getAccount()).cash.toString()).toBe('9000');
  });

  it('returns the order of a concurrent call with the same client order id instead of rejecting it on the state that order left (buying power)', async () => {
    const clock = new ManualClock(CONTRACT_NOW);
    const store = new InMemoryPaperBrokerStore();
    // A reads the account only after B's order is committed: the rules A then applies see B's
    // spending, and must not reject A's call for it (it is the very order A asks for).
    let bPlaced: () => void = () => undefined;
    const afterB = new Promise<void>((resolve) => {
      bPlaced = resolve;
    });
    let paused = false;
    const slowRead = Object.assign(Object.create(store) as InMemoryPaperBrokerStore, {
      loadAccount: async () => {
        if (!paused) {
          paused = true;
          await afterB;
        }
        return store.loadAccount();
      },
    });
    const a = contractPaperBroker(slowRead, clock, { newOrderId: () => 'order-a' });
    const b = contractPaperBroker(store, clock, { newOrderId: () => 'order-b' });
    const request = marketBuy('SPY', '12', cid('dup')); // 6000 of 10000: a second one would not fit
    const fromA = a.placeOrder(request);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const fromB = await b.placeOrder(request);
    bPlaced();
    const answerA = await fromA;
    expect(answerA).toMatchObject({ id: fromB.id, alreadyExisted: true });
    expect((await b.getAccount()).cash.toString()).toBe('4000');
  });

  it('never spends the same cash twice when concurrent buys exceed it', async () => {
    const clock = new ManualClock(CONTRACT_NOW);
    const store = new InMemoryPaperBrokerStore();
    const brokers = [0, 1, 2, 3].map(() =>
      contractPaperBroker(store, clock, { newOrderId: () => `${Math.random()}` }),
    );
    const outcomes = await Promise.allSettled(brokers.map((b) => b.placeOrder(marketBuy('SPY', '6'))));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    expect((await brokers[0]?.getAccount())?.cash.eq(Money.of(1000))).toBe(true);
  });
});

describe('paper broker buying power of a market BUY (Alpaca checks it above the last trade)', () => {
  it('rejects a market BUY whose value × (1 + buffer) exceeds the cash, and accepts one within it', async () => {
    const { broker } = setup({ marketBuyBuffer: '0.03' });
    // SPY at 500, cash 10000: 20 shares are 10000, checked as 10300.
    await expect(broker.placeOrder(marketBuy('SPY', '20'))).rejects.toBeInstanceOf(InsufficientBuyingPower);
    const order = await broker.placeOrder(marketBuy('SPY', '19'));
    expect(order.status).toBe('filled');
  });

  it('checks a limit BUY at its limit price, without the buffer', async () => {
    const { broker } = setup({ marketBuyBuffer: '0.03' });
    await expect(broker.placeOrder(limitOrder('buy', 'SPY', '20', '500'))).resolves.toBeDefined();
  });
});

describe('paper broker calendar', () => {
  it('answers a range before the whole calendar is built exactly as after, whatever the order of its days', async () => {
    const { broker: sorted } = setup();
    const base = contractPaperOptions(new InMemoryPaperBrokerStore(), new ManualClock(CONTRACT_NOW));
    const shuffled = new PaperBroker({ ...base, calendar: contractCalendar().reverse() });
    const from = TradingDate('2026-11-20');
    const to = TradingDate('2026-12-01');
    // Before any clock or order: only the asked days are built.
    const early = await shuffled.getCalendar(from, to);
    await shuffled.getClock();
    const late = await shuffled.getCalendar(from, to);
    expect(early).toEqual(late);
    expect(early).toEqual(await sorted.getCalendar(from, to));
    expect(early.map((d) => d.date)).toEqual([...early.map((d) => d.date)].sort());
    expect(early.length).toBeGreaterThan(1);
  });

  it('serves its days as calendarDay makes them, and the clock a scan of every day gives, across summer time changes', async () => {
    const specs = [
      ['2024-03-08', '09:30', '16:00'],
      ['2024-03-11', '09:30', '16:00'],
      ['2024-03-12', '0930', '1300'],
      ['2024-11-01', '09:30', '16:00'],
      ['2024-11-04', '09:30', '16:00'],
      ['2024-11-29', '09:30', '13:00'],
    ].map(([date, open, close]) => ({
      date: TradingDate(date as string),
      open: open as string,
      close: close as string,
    }));
    const eager = specs.map((d) => calendarDay(d.date, d.open, d.close));
    const clock = new ManualClock('2024-03-01T00:00:00Z');
    const base = contractPaperOptions(new InMemoryPaperBrokerStore(), clock);
    const broker = new PaperBroker({ ...base, calendar: [...specs].reverse() });
    const range = [TradingDate('2024-03-01'), TradingDate('2024-12-31')] as const;
    expect(await broker.getCalendar(...range)).toEqual(eager);
    for (const at of [
      '2024-03-08T14:29:59Z',
      '2024-03-08T14:30:00Z',
      '2024-03-08T21:00:00Z',
      '2024-03-11T13:30:00Z', // the first open of summer time
      '2024-03-11T19:59:59Z',
      '2024-03-11T20:00:00Z',
      '2024-03-12T16:59:59Z',
      '2024-03-12T17:00:00Z', // an early close
      '2024-11-01T19:59:59Z',
      '2024-11-04T14:29:59Z', // winter time again
      '2024-11-04T14:30:00Z',
      '2024-11-29T18:00:00Z',
      '2024-12-02T15:00:00Z',
    ]) {
      clock.set(new Date(at));
      expect({ at, clock: await broker.getClock() }).toEqual({
        at,
        clock: clockFromCalendar(eager, new Date(at)),
      });
    }
    expect(await broker.getCalendar(...range)).toEqual(eager);
  });

  it.each([
    ['at the open', '2026-11-27T14:30:00Z', 'filled'],
    ['a second before an early close', '2026-11-27T17:59:59Z', 'filled'],
    ['at an early close', '2026-11-27T18:00:00Z', 'accepted'],
    ['a second before the open', '2026-11-27T14:29:59Z', 'accepted'],
    ['on a day without a session', '2026-11-26T15:00:00Z', 'accepted'],
  ])(
    'tells an order placed %s its session from its own day alone, as the whole calendar does',
    async (_when, at, status) => {
      const fresh = setup({}, at).broker;
      const built = setup({}, at).broker;
      await built.getClock();
      const [first, second] = [
        await fresh.placeOrder(marketBuy('SPY', '1')),
        await built.placeOrder(marketBuy('SPY', '1')),
      ];
      expect([first.status, second.status]).toEqual([status, status]);
    },
  );
  /** A calendar given as a read, counting its reads; `failFirst` reads fail with that error. */
  function readCalendar(failFirst = 0) {
    const reads = { count: 0 };
    const read = async () => {
      reads.count += 1;
      if (reads.count <= failFirst) throw new Error(`bars unreadable (read ${reads.count})`);
      return contractCalendar();
    };
    return { reads, read };
  }

  it('reads a calendar given as a read on the first call that needs it, once, and answers as with the days given', async () => {
    const { reads, read } = readCalendar();
    const lazy = setup({ calendar: read });
    const given = setup();
    // Calls that need no calendar never read it.
    await lazy.broker.getAccount();
    await lazy.broker.getAsset(marketBuy('SPY', '1').symbol);
    await lazy.broker.listOpenOrders();
    expect(reads.count).toBe(0);
    const range = [TradingDate('2026-11-20'), TradingDate('2026-12-01')] as const;
    expect(await lazy.broker.getCalendar(...range)).toEqual(await given.broker.getCalendar(...range));
    expect(reads.count).toBe(1);
    expect(await lazy.broker.getClock()).toEqual(await given.broker.getClock());
    const [placed, reference] = [
      await lazy.broker.placeOrder(limitOrder('buy', 'SPY', '1', '400')),
      await given.broker.placeOrder(limitOrder('buy', 'SPY', '1', '400')),
    ];
    expect(placed.status).toBe(reference.status);
    // After the close the unfilled day order expires, as it does with the days given.
    lazy.clock.set('2026-11-27T18:00:00Z');
    given.clock.set('2026-11-27T18:00:00Z');
    expect((await lazy.broker.settlePending()).map((o) => o.status)).toEqual(['expired']);
    expect((await given.broker.settlePending()).map((o) => o.status)).toEqual(['expired']);
    expect(reads.count).toBe(1);
  });

  it('fails a call that needs the calendar when its read fails, before anything of that call, and reads it again on the next', async () => {
    const { reads, read } = readCalendar(1);
    const { broker } = setup({ calendar: read });
    const request = marketBuy('SPY', '2');
    // Failed before the broker's own steps: the injected fault is still there for the next call.
    broker.faults.inject({ route: 'placeOrder', kind: '5xx' });
    await expect(broker.placeOrder(request)).rejects.toThrow('bars unreadable (read 1)');
    expect(await broker.listOpenOrders()).toEqual([]);
    expect((await broker.getAccount()).cash.toString()).toBe('10000');
    await expect(broker.placeOrder(request)).rejects.toBeInstanceOf(BrokerUnavailable);
    expect((await broker.placeOrder(request)).status).toBe('filled');
    expect(reads.count).toBe(2);
  });

  /** A calendar source noting its reads; `failDays` reads of one date's day fail with that error. */
  function calendarSource(failDays = 0) {
    const reads: string[] = [];
    const source: PaperCalendarSource = {
      days: async () => {
        reads.push('days');
        return contractCalendar();
      },
      day: async (date) => {
        reads.push(`day ${date}`);
        if (reads.filter((r) => r.startsWith('day ')).length <= failDays)
          throw new Error(`bars unreadable (day ${date})`);
        return contractCalendar().find((d) => d.date === date);
      },
    };
    return { reads, source };
  }

  it.each([
    ['at the open', '2026-11-27T14:30:00Z'],
    ['at an early close', '2026-11-27T18:00:00Z'],
    ['on a day without a session', '2026-11-26T15:00:00Z'],
  ])(
    'asks a calendar source for the day of an order placed %s alone, and answers as with the days given',
    async (_when, at) => {
      const { reads, source } = calendarSource();
      const lazy = setup({ calendar: source }, at);
      const given = setup({}, at);
      const [placed, reference] = [
        await lazy.broker.placeOrder(marketBuy('SPY', '1')),
        await given.broker.placeOrder(marketBuy('SPY', '1')),
      ];
      expect(placed.status).toBe(reference.status);
      const date = at.slice(0, 10);
      expect(reads).toEqual([`day ${date}`]);
      // One date's calendar is its day alone, read once for both.
      for (const d of [TradingDate(date), TradingDate('2026-11-25')])
        expect(await lazy.broker.getCalendar(d, d)).toEqual(await given.broker.getCalendar(d, d));
      expect(reads).toEqual([`day ${date}`, 'day 2026-11-25']);
      // The clock and a range need every day: read once.
      expect(await lazy.broker.getClock()).toEqual(await given.broker.getClock());
      const range = [TradingDate('2026-11-20'), TradingDate('2026-12-01')] as const;
      expect(await lazy.broker.getCalendar(...range)).toEqual(await given.broker.getCalendar(...range));
      expect(await lazy.broker.getCalendar(TradingDate(date), TradingDate(date))).toEqual(
        await given.broker.getCalendar(TradingDate(date), TradingDate(date)),
      );
      expect(reads).toEqual([`day ${date}`, 'day 2026-11-25', 'days']);
    },
  );

  it('fails an order whose day a calendar source cannot read, before anything of the order, and reads it again on the next', async () => {
    const { reads, source } = calendarSource(1);
    const { broker } = setup({ calendar: source });
    broker.faults.inject({ route: 'placeOrder', kind: '5xx' });
    const request = marketBuy('SPY', '2');
    await expect(broker.placeOrder(request)).rejects.toThrow('bars unreadable (day 2026-11-27)');
    expect(await broker.listOpenOrders()).toEqual([]);
    await expect(broker.placeOrder(request)).rejects.toBeInstanceOf(BrokerUnavailable);
    expect((await broker.placeOrder(request)).status).toBe('filled');
    expect(reads).toEqual(['day 2026-11-27', 'day 2026-11-27']);
  });
});
