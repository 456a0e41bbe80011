import {
  createLogger,
  Money,
  Price,
  Quantity,
  RunId,
  StrategyId,
  Symbol,
  TradingDate,
  Weight,
} from '@books/core';
import { ControlRepository, LedgerTable } from '@books/ledger-client';
import { type AssetInfo, applyFill, type Book, emptyBook } from '@books/portfolio';
import type { StrategyExecutionRequested } from '@books/queue';
import { createTestTable, type TestTable } from '@books/testkit';
import { LedgerWorkerControls } from '../src/adapters/ledger-controls';
import type { StrategyPlanRecord, StrategyRunStore } from '../src/ports';
import { runStrategy, type StrategyRunDeps, type StrategyRunInput } from '../src/run-strategy';

const SID = StrategyId('momentum');

class MemoryRuns implements StrategyRunStore {
  plans = new Map<string, StrategyPlanRecord>();
  async recordPlan(input: Parameters<StrategyRunStore['recordPlan']>[0]) {
    this.plans.set(`${input.runId}/${input.strategyId}`, input.record);
    return 'recorded' as const;
  }
  async readPlan(runId: string, strategyId: StrategyId) {
    return this.plans.get(`${runId}/${strategyId}`);
  }
  async recordFailure(_r: string, _s: StrategyId, reason: string) {
    throw new Error(`unexpected failure: ${reason}`);
  }
  async recordSignal() {}
}

function bookOf(cash: string, spy: string): Book {
  const { book } = applyFill(
    { ...emptyBook(SID), cash: Money.parse(cash) },
    {
      fillId: 'f1',
      orderId: 'o1',
      symbol: Symbol('SPY'),
      side: 'buy',
      qty: Quantity.parse(spy),
      price: Price.parse('500'),
      fees: Money.ZERO,
      at: '2025-02-03T20:30:00.000Z',
    },
  );
  return book;
}

describe("a strategy's run under its controls and limits (control ledger on DynamoDB Local)", () => {
  let test: TestTable;
  let repo: ControlRepository;
  beforeAll(async () => {
    test = await createTestTable('worker-controls');
    repo = new ControlRepository(new LedgerTable(test.client, test.tableName));
  });
  afterAll(() => test.cleanup());

  function setup(book: Book | undefined, spyPrice: string) {
    const runs = new MemoryRuns();
    const sent: StrategyExecutionRequested[] = [];
    let evaluations = 0;
    const deps: StrategyRunDeps = {
      evaluator: {
        evaluate: async () => {
          evaluations++;
          return {
            ok: true,
            weights: new Map([
              [Symbol('SPY'), Weight.parse('0.5')],
              [Symbol('QQQ'), Weight.parse('0.5')],
            ]),
          };
        },
      },
      books: {
        readBook: async () => (book ? { book, exists: true } : { book: emptyBook(SID), exists: false }),
      },
      market: {
        async prices(symbols) {
          const p: Record<string, string> = { SPY: spyPrice, QQQ: '400' };
          return new Map(symbols.map((s) => [s, Price.parse(p[s] ?? '1')]));
        },
        async assets(symbols) {
          return new Map<Symbol, AssetInfo>(symbols.map((s) => [s, { fractionable: true }]));
        },
      },
      runs,
      // No rebalance schedule in these strategies: the history is never asked.
      history: {
        lastRebalance: async () => undefined,
        tradingDays: async () => [],
      },
      queue: { send: async (m: readonly StrategyExecutionRequested[]) => void sent.push(...m) },
      logger: createLogger({ service: 'test' }, { destination: { write: () => undefined } }),
      controls: new LedgerWorkerControls(repo),
    };
    const input = (runId: string): StrategyRunInput => ({
      runId: RunId(runId),
      strategyId: SID,
      file: 'momentum.clj',
      allocation: Weight.parse('0.1'),
      asOf: TradingDate('2025-03-03'),
      accountEquity: Money.parse('100000'),
      policy: { mode: 'drift', threshold: Weight.parse('0.1') },
      minTradeNotional: Money.parse('1'),
      dryRun: false,
      plannedAt: '2025-03-03T20:30:00.000Z',
    });
    return { deps, input, runs, sent, evaluations: () => evaluations };
  }

  it('liquidates without evaluating the DSL: every lot sold, nothing bought, no transfer, and the request left open', async () => {
    const { deps, input, sent, evaluations, runs } = setup(bookOf('1000', '10'), '500');
    const outcome = await runStrategy(deps, {
      ...input('test-2025-03-03'),
      liquidate: { requestId: 'req-liq', why: 'liquidate by ann: retire' },
    });
    expect(outcome.outcome).toBe('PLANNED');
    expect(evaluations()).toBe(0);
    expect(sent.map((m) => [m.trade.direction, m.trade.symbol, m.trade.target_qty.toString()])).toEqual([
      ['SELL', 'SPY', '10'],
    ]);
    const plan = runs.plans.get('test-2025-03-03/momentum');
    expect(plan?.plan.buys).toEqual([]);
    expect(plan?.capital.transfer).toBeNull();
    // Its SELL is not filled yet (it may be rejected, cancelled or partly filled): not done.
    expect(await repo.liquidation(SID, 'req-liq')).toBeUndefined();
    expect((await repo.changes(50)).filter((c) => c.id === 'liquidated-req-liq')).toEqual([]);
  });

  it('sells what a partly filled liquidation left at the next run, and records it complete only once the book is flat', async () => {
    const why = 'liquidate by ann: retire';
    const liquidate = { requestId: 'req-partial', why };
    // Day 2: 4 SPY of the 10 were not sold (a partial fill): the run sells them, still liquidating.
    const rest = setup(bookOf('4000', '4'), '500');
    await runStrategy(rest.deps, { ...rest.input('partial-2025-03-04'), liquidate });
    expect(rest.sent.map((m) => [m.trade.direction, m.trade.target_qty.toString()])).toEqual([['SELL', '4']]);
    expect(await repo.liquidation(SID, 'req-partial')).toBeUndefined();

    // Day 3: the book holds no lot: nothing is sent, and the request is recorded complete by the system.
    const flat = setup({ ...emptyBook(SID), cash: Money.parse('7000') }, '500');
    const outcome = await runStrategy(flat.deps, { ...flat.input('partial-2025-03-05'), liquidate });
    expect(outcome.outcome).toBe('NOTHING_TO_DO');
    expect(flat.sent).toEqual([]);
    expect(flat.runs.plans.get('partial-2025-03-05/momentum')?.capital.transfer).toBeNull();
    expect(await repo.liquidation(SID, 'req-partial')).toBe('partial-2025-03-05');
    const change = (await repo.changes(50)).find((c) => c.id === 'liquidated-req-partial');
    expect(change).toMatchObject({ action: 'liquidated', by: 'system', runId: 'partial-2025-03-05' });
    expect(change?.reason).toMatch(/^liquidation complete: run partial-2025-03-05 found no lot left to sell/);

    // A retried worker resumes the recorded plan: the completion stays recorded once, by that run.
    const again = await runStrategy(flat.deps, { ...flat.input('partial-2025-03-05'), liquidate });
    expect(again).toMatchObject({ outcome: 'NOTHING_TO_DO', resumed: true });
    expect((await repo.changes(50)).filter((c) => c.id === 'liquidated-req-partial')).toHaveLength(1);
  });

  it('records a liquidation complete when only dust under the minimum notional is left, naming it', async () => {
    const dusty = setup(bookOf('9000', '0.001'), '500');
    const liquidate = { requestId: 'req-dust', why: 'liquidate by ann: retire' };
    await runStrategy(dusty.deps, {
      ...dusty.input('dust-2025-03-03'),
      minTradeNotional: Money.parse('1'),
      liquidate,
    });
    expect(dusty.sent).toEqual([]);
    expect(await repo.liquidation(SID, 'req-dust')).toBe('dust-2025-03-03');
    expect((await repo.changes(50)).find((c) => c.id === 'liquidated-req-dust')?.reason).toMatch(
      /only dust no order can sell \(0\.001 SPY\)/,
    );
  });

  it('suppresses what passes its daily notional cap, larger first then by symbol, with the reason', async () => {
    const { deps, input, sent, runs } = setup(undefined, '500');
    await runStrategy(deps, { ...input('cap-2025-03-03'), dailyNotionalCap: Money.parse('6000') });
    // Funded 10000: SPY and QQQ 5000 each; the cap keeps QQQ (equal value, symbol order) only.
    expect(sent.map((m) => m.trade.symbol)).toEqual(['QQQ']);
    expect(runs.plans.get('cap-2025-03-03/momentum')?.plan.suppressed).toEqual([
      expect.objectContaining({
        symbol: 'SPY',
        reason: 'over-notional-cap',
        detail: 'daily notional cap 6000 (1000 left)',
      }),
    ]);
  });

  it('latches its drawdown stop from the high-water mark and liquidates at once, then stays latched', async () => {
    const stop = { maxDrawdown: Weight.parse('0.2'), action: 'liquidate' as const };
    const sid = StrategyId('momentum');
    const first = setup(bookOf('5000', '10'), '500');
    await runStrategy(first.deps, { ...first.input('dd-2025-03-03'), drawdownStop: stop });
    // Equity 5000 (10 SPY bought with the cash), topped up to its 10000 target: the transfer is no gain.
    expect((await repo.drawdown(sid))?.highWaterMark.toString()).toBe('10000');
    expect(first.sent.map((m) => m.trade.direction)).not.toContain('SELL');

    // SPY falls from 500 to 200: equity 2000, 80% under the mark.
    const second = setup(bookOf('5000', '10'), '200');
    const outcome = await runStrategy(second.deps, { ...second.input('dd-2025-03-04'), drawdownStop: stop });
    expect(outcome.outcome).toBe('PLANNED');
    expect(second.sent.map((m) => [m.trade.direction, m.trade.symbol])).toEqual([['SELL', 'SPY']]);
    const state = await repo.drawdown(sid);
    expect(state?.latched).toMatchObject({ runId: 'dd-2025-03-04', action: 'liquidate' });
    expect(state?.latched?.equity.toString()).toBe('2000');
    expect((await repo.changes(50)).map((c) => c.id)).toContain('drawdown-dd-2025-03-04');
    // The SELL is not filled yet: the stop's liquidation stays open, for the next run to finish.
    expect(await repo.liquidation(sid, 'drawdown-dd-2025-03-04')).toBeUndefined();
    const flat = setup({ ...emptyBook(sid), cash: Money.parse('2000') }, '200');
    await runStrategy(flat.deps, {
      ...flat.input('dd-2025-03-05'),
      drawdownStop: stop,
      liquidate: { requestId: 'drawdown-dd-2025-03-04', why: 'drawdown stop latched' },
    });
    expect(await repo.liquidation(sid, 'drawdown-dd-2025-03-04')).toBe('dd-2025-03-05');
  });

  it('moves the mark by a transfer once, however often a run is retried', async () => {
    const controls = new LedgerWorkerControls(repo);
    const sid = StrategyId('retried');
    const mark = {
      strategyId: sid,
      maxDrawdown: Weight.parse('0.5'),
      action: 'pause' as const,
      at: '2025-03-03T20:30:00.000Z',
    };
    await controls.markDrawdown({ ...mark, runId: 'r1', equity: Money.parse('1000'), transfer: Money.ZERO });
    await controls.markDrawdown({
      ...mark,
      runId: 'r2',
      equity: Money.parse('1000'),
      transfer: Money.parse('-400'),
    });
    await controls.markDrawdown({
      ...mark,
      runId: 'r2',
      equity: Money.parse('1000'),
      transfer: Money.parse('-400'),
    });
    expect((await repo.drawdown(sid))?.highWaterMark.toString()).toBe('600');
    // After the transfer out, equity 600 is no drawdown.
    expect(
      await controls.markDrawdown({ ...mark, runId: 'r3', equity: Money.parse('600'), transfer: Money.ZERO }),
    ).toEqual({ latched: false });
  });
});
