import {
  ClientOrderId,
  createLogger,
  EXTERNAL,
  Money,
  type Price,
  Quantity,
  RunId,
  type StrategyId,
  type Symbol,
  Symbol as SymbolId,
  type TradingDate,
} from '@books/core';
import { keys, loadBook } from '@books/ledger-client';
import { reconcilerFunction, recordAdjustment } from '@books/reconciler';
import {
  LedgerRunCompletionStore,
  RunCompletion,
  RunCompletionFailed,
  verifyBook,
} from '@books/reconciliation';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { checkInvariants, daysFrom, openWorld, STRATEGY_IDS } from '../e2e/support';

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
): Promise<Price> {
  const { broker } = world.services;
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
  if (order.status !== 'filled' || !order.filledAvgPrice) throw new Error(`manual order ${id} did not fill`);
  return order.filledAvgPrice;
}

/** The reconciler over the world's services, with every log line it writes kept as JSON. */
function capturingReconciler(world: LocalWorld) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    { service: 'reconciler' },
    { level: 'info', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } },
  );
  return { reconcile: reconcilerFunction({ ...world.services, logger }), lines };
}

describe('reconciliation in the daily cycle on the embedded stack', () => {
  jest.setTimeout(300_000);

  it('reconciles each run once after its last trade: one result carrying the run id, MATCH, and a repeated completion asks no second time', async () => {
    const world = await openWorld('runrecon');
    const [day] = daysFrom('2024-09-16', 1) as [TradingDate];
    const { runId } = await world.runDay(day);

    const results = await world.services.recon.list(day);
    const ofRun = results.filter((r) => r.runId === runId);
    expect(ofRun).toHaveLength(1);
    expect(ofRun[0]?.entries.every((e) => e.status === 'MATCH')).toBe(true);
    expect(ofRun[0]?.entries.length).toBeGreaterThan(0);
    // The plan's fail-closed reconciliation ran before the run existed; the run's one after it.
    expect(results.filter((r) => r.runId === undefined)).toHaveLength(1);
    const marker = await world.services.table.getItem(keys.reconcileRequested(RunId(runId)));
    expect(marker?.requested_at?.S).toBeDefined();

    const requests: unknown[] = [];
    const again = new RunCompletion({
      store: new LedgerRunCompletionStore(world.services.table),
      reconciliation: { request: async (r) => void requests.push(r) },
      clock: world.clock,
      logger: world.services.logger,
    });
    expect(await again.requestIfComplete(RunId(runId))).toBe('already-requested');
    expect(requests).toEqual([]);
  });

  it('the coordinator requests the reconciliation itself when it finishes a run with nothing to trade', async () => {
    const world = await openWorld('runrecon0');
    const [day] = daysFrom('2024-09-16', 1) as [TradingDate];
    world.clock.set(new Date(`${day}T19:30:00Z`));
    const plan = await world.functions.coordinator({ phase: 'plan', trigger: { tradingDate: day } });
    if (!(plan && typeof plan === 'object' && 'runId' in plan && typeof plan.runId === 'string'))
      throw new Error('no run planned');
    const runId = RunId(plan.runId);
    // Every worker found nothing to do: no intent, no execution message, no last trade.
    for (const sid of STRATEGY_IDS)
      await world.services.runs.transitionStrategy(runId, sid, {
        from: 'PENDING',
        to: 'NOTHING_TO_DO',
        at: world.clock.now().toISOString(),
      });
    expect((await world.services.recon.list(day)).filter((r) => r.runId === runId)).toEqual([]);
    await world.functions.coordinator({
      phase: 'finish',
      runId,
      outcomes: STRATEGY_IDS.map((strategyId) => ({ strategyId, outcome: 'NOTHING_TO_DO' })),
    });
    expect((await world.services.recon.list(day)).filter((r) => r.runId === runId)).toHaveLength(1);
  });

  it("fails Finish when a nothing-to-trade run's completion fails, and finishing again (DailyRun's retry) completes it once", async () => {
    const requests: unknown[] = [];
    let refuse = true;
    const world = await openWorld('runrecon-retry', {
      inject: {
        reconciliation: {
          request: async (r) => {
            if (refuse) throw new Error('the invoke was refused (test)');
            requests.push(r);
          },
        },
      },
    });
    const [day] = daysFrom('2024-09-16', 1) as [TradingDate];
    world.clock.set(new Date(`${day}T19:30:00Z`));
    const plan = await world.functions.coordinator({ phase: 'plan', trigger: { tradingDate: day } });
    if (!(plan && typeof plan === 'object' && 'runId' in plan && typeof plan.runId === 'string'))
      throw new Error('no run planned');
    const runId = RunId(plan.runId);
    for (const sid of STRATEGY_IDS)
      await world.services.runs.transitionStrategy(runId, sid, {
        from: 'PENDING',
        to: 'NOTHING_TO_DO',
        at: world.clock.now().toISOString(),
      });
    const finish = {
      phase: 'finish',
      runId,
      outcomes: STRATEGY_IDS.map((strategyId) => ({ strategyId, outcome: 'NOTHING_TO_DO' })),
    };
    await expect(world.functions.coordinator(finish)).rejects.toThrow(RunCompletionFailed);
    // The run stands, and its completion marker is cleared for the retry.
    expect((await world.services.runs.listRunItems(runId))?.meta.status).toBe('DISPATCHED');
    expect(await world.services.table.getItem(keys.reconcileRequested(runId))).toBeUndefined();
    refuse = false;
    await expect(world.functions.coordinator(finish)).resolves.toMatchObject({ status: 'DISPATCHED' });
    await world.functions.coordinator(finish);
    expect(requests).toEqual([{ runId, date: day }]);
  });

  it('the deployed coordinator fails closed: a manual sale at the broker blocks the exposed strategies the next day (recorded SKIPPED with the break), a labelled adjustment repairs it, and the day after every strategy trades again', async () => {
    const world = await openWorld('runfailclosed');
    const [day1, day2, day3] = daysFrom('2024-09-16', 3) as [TradingDate, TradingDate, TradingDate];
    await world.runDay(day1);
    const [held] = await world.services.broker.getPositions();
    if (!held) throw new Error('the books hold nothing after a day');
    const price = await manualOrder(world, 'manual-failclosed-1', held.symbol, 'sell', Quantity.parse('1'));

    const blocked = await world.runDay(day2);
    const run = await world.services.runs.listRunItems(RunId(blocked.runId));
    const skipped = (run?.strategies ?? []).filter((s) => s.status === 'SKIPPED');
    expect(skipped.length).toBeGreaterThan(0);
    for (const s of skipped)
      expect(s.skipReason).toBe(
        `blocked: unexplained reconciliation break on ${held.symbol} DRIFT (unexplained -1)`,
      );
    const owners = await holders(world, held.symbol);
    for (const sid of owners.keys()) expect(skipped.map((s) => s.strategyId)).toContain(sid);
    // The run's own reconciliation still reports the break: nothing papered over it.
    const afterRun = (await world.services.recon.list(day2)).find((r) => r.runId === blocked.runId);
    expect(afterRun?.entries.find((e) => e.symbol === held.symbol)?.status).toBe('DRIFT');

    const [owner] = [...owners].find(([, q]) => q.gte(Quantity.parse('1'))) ?? [];
    if (!owner) throw new Error('no strategy holds a whole unit of the symbol');
    await recordAdjustment(world.services, {
      strategyId: owner,
      reason: 'sold by hand at the broker (ticket 7)',
      position: { symbol: held.symbol, qty: Quantity.parse('-1'), price },
    });
    expect(await reconcilerFunction(world.services)({ date: day2 })).toMatchObject({ ok: true, breaks: [] });

    const next = await world.runDay(day3);
    const run3 = await world.services.runs.listRunItems(RunId(next.runId));
    expect((run3?.strategies ?? []).filter((s) => s.status === 'SKIPPED')).toEqual([]);
    expect(next.drain.failed).toBe(0);
    const last = (await world.services.recon.list(day3)).find((r) => r.runId === next.runId);
    expect(last?.entries.every((e) => e.status === 'MATCH')).toBe(true);
  });

  it('records a position bought by hand in a symbol no book holds into the EXTERNAL book with a labelled entry, keeps it an UNOWNED break (alarm metric) until a human assigns it, then empties EXTERNAL with a labelled entry: MATCH', async () => {
    const world = await openWorld('external');
    const [day1, day2] = daysFrom('2024-09-16', 2) as [TradingDate, TradingDate];
    await world.runDay(day1);
    await world.runDay(day2);
    const positions = await world.services.broker.getPositions();
    const [held] = positions;
    if (!held) throw new Error('the books hold nothing after two days');
    const unheldSymbol = ['SPY', 'QQQ', 'TLT', 'IEF', 'GLD', 'BIL'].find(
      (s) => !positions.some((p) => p.symbol === s),
    );
    if (!unheldSymbol) throw new Error('every sample symbol is held');
    const symbol = SymbolId(unheldSymbol);
    // The books are fully invested: the purchase by hand is paid by a sale by hand.
    const owners = await holders(world, held.symbol);
    const sellPrice = await manualOrder(world, 'manual-ext-sell', held.symbol, 'sell', held.qty);
    const buyPrice = await manualOrder(world, 'manual-ext-buy', symbol, 'buy', Quantity.parse('2.5'));

    const { reconcile, lines } = capturingReconciler(world);
    const broken = await reconcile({ date: day2 });
    expect(broken.breaks).toEqual(
      expect.arrayContaining([{ symbol, status: 'UNOWNED', unexplained: '2.5' }]),
    );
    expect(broken.external).toEqual([{ symbol, qty: '2.5' }]);
    const extTrades = await world.services.trades.listByStrategy(EXTERNAL);
    expect(extTrades.map((t) => `${t.side} ${t.filledQty} ${t.symbol} @ ${t.fillPrice}`)).toEqual([
      `buy 2.5 ${symbol} @ ${buyPrice}`,
    ]);
    const [bought] = extTrades;
    const item = await world.services.table.getItem(keys.strategyTrade(EXTERNAL, bought?.orderId ?? ''));
    expect(item?.reason?.S).toBe('adjustment');
    expect(item?.note?.S).toMatch(/^unowned at broker, found by reconciliation on /);
    const stored = await world.services.recon.latest(day2);
    expect(stored?.entries.find((e) => e.symbol === symbol)).toMatchObject({
      status: 'UNOWNED',
      byStrategy: [{ strategyId: EXTERNAL, qty: Quantity.parse('2.5') }],
    });
    const summaryLine = lines.find((l) => l.event === 'reconciled');
    // Two symbol breaks and the cash: the trades by hand moved broker cash no book or pool holds.
    expect(summaryLine).toMatchObject({
      level: 'error',
      Stage: world.services.env.BOOKS_STAGE,
      ReconciliationBreaks: 3,
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'StrategyBooks',
            Dimensions: [['Stage']],
            Metrics: [{ Name: 'ReconciliationBreaks', Unit: 'Count' }],
          },
        ],
      },
    });

    // Reconciling again records nothing more into EXTERNAL and is still a break.
    const still = await reconcile({ date: day2 });
    expect(still.breaks).toEqual(expect.arrayContaining([{ symbol, status: 'UNOWNED', unexplained: '2.5' }]));
    expect(await world.services.trades.listByStrategy(EXTERNAL)).toHaveLength(1);

    // The human's path: the sale is booked out of its owners, the purchase into a strategy.
    for (const [owner, qty] of owners)
      await recordAdjustment(world.services, {
        strategyId: owner,
        reason: 'switched by hand at the broker',
        position: { symbol: held.symbol, qty: qty.negated(), price: sellPrice },
      });
    const [sid] = STRATEGY_IDS;
    if (!sid) throw new Error('no strategy');
    await recordAdjustment(world.services, {
      strategyId: sid,
      reason: 'switched by hand at the broker: this strategy keeps it',
      position: { symbol, qty: Quantity.parse('2.5'), price: buyPrice },
    });

    lines.length = 0;
    expect(await reconcile({ date: day2 })).toMatchObject({ ok: true, breaks: [], external: [] });
    expect(lines.find((l) => l.event === 'reconciled')).toMatchObject({
      level: 'info',
      ReconciliationBreaks: 0,
    });
    const after = await world.services.trades.listByStrategy(EXTERNAL);
    expect(after.map((t) => `${t.side} ${t.filledQty} ${t.symbol}`).sort()).toEqual([
      `buy 2.5 ${symbol}`,
      `sell 2.5 ${symbol}`,
    ]);
    const { book } = await loadBook(world.services.books, EXTERNAL);
    expect(book.lots).toEqual([]);
    expect((await verifyBook(world.services, EXTERNAL)).differences).toEqual([]);
    expect(await checkInvariants(world.services, Money.parse('100000'))).toEqual([]);
  });
});
