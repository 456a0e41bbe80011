import { readdirSync } from 'node:fs';
import { type AdjustArgs, runAdjust } from '@books/cli';
import {
  ClientOrderId,
  Money,
  Quantity,
  type StrategyId,
  type Symbol,
  Symbol as SymbolId,
  type TradingDate,
} from '@books/core';
import { loadBook } from '@books/ledger-client';
import { reconcilerFunction } from '@books/reconciler';
import { verifyBook } from '@books/reconciliation';
import type { LocalWorld } from '../../src/daily-run/local-world';
import {
  checkInvariants,
  daysFrom,
  openWorld,
  SAMPLE_DAYS,
  STRATEGY_IDS,
  sampleBarsDir,
} from '../e2e/support';

describe('books adjust on the embedded stack', () => {
  jest.setTimeout(300_000);
  const days = daysFrom('2024-09-16', 2);

  async function world2days(prefix: string): Promise<LocalWorld> {
    const world = await openWorld(prefix);
    for (const day of days) await world.runDay(day);
    return world;
  }

  async function adjust(world: LocalWorld, args: Omit<AdjustArgs, 'json'>) {
    let out = '';
    let err = '';
    const code = await runAdjust(
      {
        services: world.services,
        stage: world.services.env.BOOKS_STAGE,
        strategyIds: STRATEGY_IDS,
        calendar: SAMPLE_DAYS,
        lastRunDate: days[1] as TradingDate,
        now: new Date(),
      },
      { ...args, json: false },
      { out: (t) => (out += t), err: (t) => (err += t) },
    );
    return { code, out, err };
  }

  /** Each strategy's open quantity of `symbol`. */
  async function holders(world: LocalWorld, symbol: Symbol): Promise<Map<StrategyId, Quantity>> {
    const out = new Map<StrategyId, Quantity>();
    for (const sid of STRATEGY_IDS) {
      const { book } = await loadBook(world.services.books, sid);
      const qty = Quantity.sum(book.lots.filter((l) => l.symbol === symbol).map((l) => l.openQty));
      if (qty.isPositive()) out.set(sid, qty);
    }
    return out;
  }

  async function manualOrder(
    world: LocalWorld,
    id: string,
    symbol: Symbol,
    side: 'buy' | 'sell',
    qty: Quantity,
  ) {
    const broker = world.services.broker;
    await broker.placeOrder({
      clientOrderId: ClientOrderId(id),
      symbol,
      side,
      qty,
      type: 'market',
      timeInForce: 'day',
    });
    world.clock.advance(60_000);
    const order = await broker.getOrderByClientId(ClientOrderId(id));
    if (order.status !== 'filled' || !order.filledAvgPrice)
      throw new Error(`manual order ${id} did not fill`);
    return order.filledAvgPrice;
  }

  it('repairs a position closed by hand at the broker (PHANTOM) with one labelled sale per holding strategy: MATCH, books rebuild, cash explained', async () => {
    const world = await world2days('adjphantom');
    const [position] = await world.services.broker.getPositions();
    if (!position) throw new Error('the books hold nothing after two days');
    const owners = await holders(world, position.symbol);
    const price = await manualOrder(world, 'manual-close-1', position.symbol, 'sell', position.qty);

    const broken = await reconcilerFunction(world.services)({});
    expect(broken.breaks).toEqual([
      { symbol: position.symbol, status: 'PHANTOM', unexplained: position.qty.negated().toString() },
    ]);

    for (const [sid, qty] of owners) {
      const r = await adjust(world, {
        strategy: sid,
        symbol: position.symbol,
        qty: qty.negated().toString(),
        price: price.toString(),
        reason: 'closed by hand at the broker on 2024-09-17 (ticket 42)',
      });
      expect(r).toMatchObject({ code: 0, err: '' });
      expect(r.out).toMatch(new RegExp(`trade +sell ${qty} ${position.symbol} @ ${price}`));
    }

    expect(await reconcilerFunction(world.services)({})).toMatchObject({ ok: true, breaks: [] });
    expect(await checkInvariants(world.services, Money.parse('100000'))).toEqual([]);
    const [sid] = owners.keys();
    if (!sid) throw new Error('nobody held the symbol');
    const trades = await world.services.trades.listByStrategy(sid);
    expect(trades.filter((t) => t.orderId.startsWith('adj-'))).toHaveLength(1);
    const stored = await world.services.table.queryAll({
      partition: `STRATEGY#${sid}#TRADE#${trades.find((t) => t.orderId.startsWith('adj-'))?.orderId}`,
    });
    expect(stored[0]?.reason?.S).toBe('adjustment');
    expect(stored[0]?.note?.S).toBe('closed by hand at the broker on 2024-09-17 (ticket 42)');
  });

  it('books a position bought by hand at the broker in a symbol no book holds (UNOWNED) into the strategy a human assigns it to: MATCH', async () => {
    const world = await world2days('adjunowned');
    const positions = await world.services.broker.getPositions();
    const [held] = positions;
    const [sid] = STRATEGY_IDS;
    if (!held || !sid) throw new Error('the books hold nothing after two days');
    const unheld = readdirSync(sampleBarsDir())
      .map((f) => f.replace(/\.csv$/, ''))
      .find((s) => /^[A-Z]+$/.test(s) && !positions.some((p) => p.symbol === s));
    if (!unheld) throw new Error('every sample symbol is held');
    const symbol = SymbolId(unheld);
    // The books are fully invested: the hand-made purchase is paid by a hand-made sale.
    const owners = await holders(world, held.symbol);
    const sellPrice = await manualOrder(world, 'manual-sell-2', held.symbol, 'sell', held.qty);
    const buyPrice = await manualOrder(world, 'manual-buy-2', symbol, 'buy', Quantity.parse('2'));
    const broken = await reconcilerFunction(world.services)({});
    expect(broken.breaks).toEqual(
      expect.arrayContaining([
        { symbol: held.symbol, status: 'PHANTOM', unexplained: held.qty.negated().toString() },
        { symbol, status: 'UNOWNED', unexplained: '2' },
      ]),
    );
    expect(broken.breaks).toHaveLength(2);

    for (const [owner, qty] of owners) {
      const r = await adjust(world, {
        strategy: owner,
        symbol: held.symbol,
        qty: qty.negated().toString(),
        price: sellPrice.toString(),
        reason: 'switched by hand at the broker',
      });
      expect(r.code).toBe(0);
    }
    const r = await adjust(world, {
      strategy: sid,
      symbol,
      qty: '2',
      price: buyPrice.toString(),
      reason: 'switched by hand at the broker',
    });
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(await reconcilerFunction(world.services)({})).toMatchObject({ ok: true, breaks: [] });
    expect(await checkInvariants(world.services, Money.parse('100000'))).toEqual([]);
  });

  it('moves cash into a book with a transfer labelled adjustment that the rebuilt book includes, and books a repeated command once', async () => {
    const world = await world2days('adjcash');
    const [sid] = STRATEGY_IDS;
    if (!sid) throw new Error('no strategy');
    const before = (await loadBook(world.services.books, sid)).book.cash;
    const r = await adjust(world, {
      strategy: sid,
      cash: '12.34',
      reason: 'dividend paid into the account for this strategy',
    });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/cash +12\.34 \(transfer, reason adjustment\)/);
    expect((await loadBook(world.services.books, sid)).book.cash.toString()).toBe(
      before.plus(Money.parse('12.34')).toString(),
    );
    const transfers = (await world.services.books.readBook(sid))?.transfers ?? [];
    expect(transfers.filter((t) => t.reason === 'adjustment').map((t) => t.amount.toString())).toEqual([
      '12.34',
    ]);
    expect((await verifyBook(world.services, sid)).matches).toBe(true);

    // The same command again at the same instant is the same adjustment: refused, booked once.
    const again = await adjust(world, {
      strategy: sid,
      cash: '12.34',
      reason: 'dividend paid into the account for this strategy',
    });
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already/);
    const still = (await world.services.books.readBook(sid))?.transfers ?? [];
    expect(still.filter((t) => t.reason === 'adjustment')).toHaveLength(1);
  });

  it.each([
    [{ symbol: 'SPY', qty: '1', price: '10' }, /--reason/],
    [{ symbol: 'SPY', qty: '1', price: '10', reason: '   ' }, /--reason/],
    [{ symbol: 'SPY', qty: '1', reason: 'x' }, /all of --symbol, --qty and --price/],
    [{ reason: 'x' }, /nothing to adjust/],
    [{ cash: 'abc', reason: 'x' }, /cash/],
    [{ symbol: 'SPY', qty: '0.0000000001', price: '10', reason: 'x' }, /at most 9 decimals/],
  ])('refuses %j with exit 2 and writes nothing', async (args, message) => {
    const world = await openWorld('adjrefuse');
    const [sid] = STRATEGY_IDS;
    if (!sid) throw new Error('no strategy');
    const r = await adjust(world, { strategy: sid, ...args });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('refuses a sale beyond the strategy’s own lots and leaves its book as it was', async () => {
    const world = await world2days('adjoversell');
    const [position] = await world.services.broker.getPositions();
    if (!position) throw new Error('the books hold nothing after two days');
    const [[sid, qty]] = [...(await holders(world, position.symbol))] as [[StrategyId, Quantity]];
    const before = await loadBook(world.services.books, sid);
    const r = await adjust(world, {
      strategy: sid,
      symbol: position.symbol,
      qty: qty.plus(Quantity.parse('1')).negated().toString(),
      price: '1',
      reason: 'too much',
    });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/position adjustment refused/);
    const after = await loadBook(world.services.books, sid);
    expect(after.version).toBe(before.version);
    expect(after.book.cash.toString()).toBe(before.book.cash.toString());
  });

  it('refuses a purchase that would leave the book’s cash negative, and with --allow-negative-cash records it with a loud warning', async () => {
    const world = await world2days('adjnegcash');
    const [sid] = STRATEGY_IDS;
    if (!sid) throw new Error('no strategy');
    const before = await loadBook(world.services.books, sid);
    const price = before.book.cash.plus(Money.parse('1000')).toString();
    const args = { strategy: sid, symbol: 'SPY', qty: '1', price, reason: 'booked by hand' };
    const refused = await adjust(world, args);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/would leave the cash of .* at -/);
    const unchanged = await loadBook(world.services.books, sid);
    expect(unchanged.version).toBe(before.version);

    const allowed = await adjust(world, { ...args, allowNegativeCash: true });
    expect(allowed.code).toBe(0);
    expect(allowed.err).toMatch(/WARNING: the cash of .* is now NEGATIVE \(-/);
    expect((await loadBook(world.services.books, sid)).book.cash.isNegative()).toBe(true);
  });
});
