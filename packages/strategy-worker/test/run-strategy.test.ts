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
import { type AssetInfo, applyFill, type Book, emptyBook } from '@books/portfolio';
import { type StrategyExecutionRequested, serializeExecutionMessage } from '@books/queue';
import type { MarketPrices, StrategyEvaluation, StrategyPlanRecord, StrategyRunStore } from '../src/ports';
import { runStrategy, type StrategyRunDeps, type StrategyRunInput } from '../src/run-strategy';

const SID = StrategyId('momentum');
const sym = Symbol;

class MemoryRuns implements StrategyRunStore {
  plans = new Map<string, StrategyPlanRecord>();
  notDue = new Map<string, string>();
  rebalanced = new Map<string, boolean | undefined>();
  failures = new Map<string, string>();
  recordCalls = 0;
  async recordPlan(input: Parameters<StrategyRunStore['recordPlan']>[0]) {
    this.recordCalls++;
    const key = `${input.runId}/${input.strategyId}`;
    if (this.plans.has(key)) return 'already-recorded' as const;
    this.plans.set(key, input.record);
    if (input.notDue !== undefined) this.notDue.set(key, input.notDue);
    this.rebalanced.set(key, input.rebalanced);
    return 'recorded' as const;
  }
  async readPlan(runId: string, strategyId: StrategyId) {
    return this.plans.get(`${runId}/${strategyId}`);
  }
  async recordFailure(runId: string, strategyId: StrategyId, reason: string) {
    this.failures.set(`${runId}/${strategyId}`, reason);
  }
  signals = new Set<string>();
  async recordSignal(runId: string, strategyId: StrategyId) {
    this.signals.add(`${runId}/${strategyId}`);
  }
}

class MemoryQueue {
  sent: StrategyExecutionRequested[] = [];
  async send(messages: readonly StrategyExecutionRequested[]) {
    this.sent.push(...messages);
  }
}

function market(prices: Record<string, string>, fractionable = true): MarketPrices {
  return {
    async prices(symbols) {
      return new Map(
        symbols.filter((s) => prices[s] !== undefined).map((s) => [s, Price.parse(prices[s] ?? '')]),
      );
    },
    async assets(symbols) {
      return new Map<Symbol, AssetInfo>(symbols.map((s) => [s, { fractionable }]));
    },
  };
}

function weights(w: Record<string, string>): Extract<StrategyEvaluation, { ok: true }> {
  return { ok: true, weights: new Map(Object.entries(w).map(([s, v]) => [sym(s), Weight.parse(v)])) };
}

function bookWith(cash: string, buys: Array<[string, string, string]>): Book {
  let book: Book = { ...emptyBook(SID), cash: Money.parse(cash) };
  buys.forEach(([symbol, qty, price], i) => {
    book = applyFill(book, {
      fillId: `f${i}`,
      orderId: `o${i}`,
      symbol: sym(symbol),
      side: 'buy',
      qty: Quantity.parse(qty),
      price: Price.parse(price),
      fees: Money.ZERO,
      at: `2025-02-0${i + 1}T20:30:00.000Z`,
    }).book;
  });
  return book;
}

function weekdays(from: string, to: string): TradingDate[] {
  const days: TradingDate[] = [];
  for (
    let d = new Date(`${from}T00:00:00Z`);
    d.toISOString().slice(0, 10) <= to;
    d.setUTCDate(d.getUTCDate() + 1)
  )
    if (d.getUTCDay() % 6 !== 0) days.push(TradingDate(d.toISOString().slice(0, 10)));
  return days;
}

function setup(
  overrides: {
    evaluation?: StrategyEvaluation;
    book?: Book | 'unreadable';
    prices?: Record<string, string>;
    lastRebalance?: TradingDate;
    /** The allocation recorded with the last rebalance; absent, none was recorded. */
    lastAllocation?: string;
  } = {},
) {
  const runs = new MemoryRuns();
  const queue = new MemoryQueue();
  const lines: string[] = [];
  const deps: StrategyRunDeps = {
    evaluator: { evaluate: async () => overrides.evaluation ?? weights({ SPY: '0.5', QQQ: '0.5' }) },
    books: {
      async readBook() {
        if (overrides.book === 'unreadable') throw new Error('ProvisionedThroughputExceededException');
        return overrides.book
          ? { book: overrides.book, exists: true }
          : { book: emptyBook(SID), exists: false };
      },
    },
    market: market(overrides.prices ?? { SPY: '500', QQQ: '400', TLT: '90' }),
    runs,
    history: {
      lastRebalance: async () =>
        overrides.lastRebalance && {
          tradingDate: overrides.lastRebalance,
          ...(overrides.lastAllocation ? { allocation: Weight.parse(overrides.lastAllocation) } : {}),
        },
      // Weekdays: the calendar of these tests has no holiday.
      tradingDays: async (from, to) => weekdays(from, to),
    },
    queue,
    logger: createLogger({ service: 'test' }, { destination: { write: (l: string) => lines.push(l) } }),
  };
  const input: StrategyRunInput = {
    runId: RunId('local-2025-03-03'),
    strategyId: SID,
    file: 'momentum.clj',
    allocation: Weight.parse('0.3'),
    asOf: TradingDate('2025-03-03'),
    accountEquity: Money.parse('100000'),
    policy: { mode: 'drift', threshold: Weight.parse('0.1') },
    minTradeNotional: Money.parse('1'),
    dryRun: false,
    plannedAt: '2025-03-03T20:30:00.000Z',
  };
  return { deps, input, runs, queue, lines };
}

describe('one strategy’s run', () => {
  it('funds a first run and sends its BUYs at once since there is no SELL to wait for', async () => {
    const { deps, input, queue, runs } = setup();
    const outcome = await runStrategy(deps, input);
    expect(outcome.outcome).toBe('PLANNED');
    expect(queue.sent.map((m) => [m.trade.symbol, m.trade.direction, m.trade.target_qty.toString()])).toEqual(
      [
        ['QQQ', 'BUY', '37.5'],
        ['SPY', 'BUY', '30'],
      ],
    );
    expect(runs.plans.get('local-2025-03-03/momentum')?.capital.transfer?.amount.toString()).toBe('30000');
  });

  it('sends only its SELLs and holds its BUYs when it has something to sell', async () => {
    const book = bookWith('0', [['TLT', '333.333333333', '90']]);
    const { deps, input, queue, runs } = setup({ book, prices: { SPY: '500', QQQ: '400', TLT: '90' } });
    const outcome = await runStrategy(deps, input);
    expect(outcome.outcome).toBe('PLANNED');
    expect(queue.sent.map((m) => [m.trade.symbol, m.trade.direction, m.trade.target_qty.toString()])).toEqual(
      [['TLT', 'SELL', '333.333333333']],
    );
    const plan = runs.plans.get('local-2025-03-03/momentum')?.plan;
    expect(plan?.buys.map((b) => b.symbol)).toEqual(['QQQ', 'SPY']);
  });

  it('records a DSL failure on its run item and trades nothing', async () => {
    const { deps, input, queue, runs } = setup({
      evaluation: {
        ok: false,
        code: 'NO_DATA',
        message: 'momentum.clj:4:7: no bar for XYZ on or before 2025-03-03',
      },
    });
    const outcome = await runStrategy(deps, input);
    expect(outcome).toEqual({
      strategyId: SID,
      outcome: 'FAILED',
      reason: 'momentum.clj:4:7: no bar for XYZ on or before 2025-03-03',
    });
    expect(queue.sent).toEqual([]);
    expect(runs.failures.get('local-2025-03-03/momentum')).toMatch(/no bar for XYZ/);
  });

  it('fails a strategy on stale data alone with the code STALE_DATA, naming the symbol and the bar date', async () => {
    const message =
      "STALE_DATA: SPY's latest bar is of 2025-02-21, older than 2025-02-28 (the trading day before 2025-03-03): refresh the market data before trading";
    const { deps, input, queue, runs, lines } = setup({
      evaluation: { ok: false, code: 'STALE_DATA', message, data: true },
    });
    expect(await runStrategy(deps, input)).toEqual({ strategyId: SID, outcome: 'FAILED', reason: message });
    expect(queue.sent).toEqual([]);
    expect(runs.failures.get('local-2025-03-03/momentum')).toBe(message);
    expect(lines.join('')).toContain('"code":"STALE_DATA"');
  });

  it('fails closed when its book cannot be read, never planning from an empty book', async () => {
    const { deps, input, queue, runs } = setup({ book: 'unreadable' });
    const outcome = await runStrategy(deps, input);
    expect(outcome.outcome).toBe('FAILED');
    expect(outcome.outcome === 'FAILED' && outcome.reason).toMatch(
      /cannot read the book of momentum: ProvisionedThroughput/,
    );
    expect(queue.sent).toEqual([]);
    expect(runs.plans.size).toBe(0);
  });

  it('fails when a held symbol has no price rather than valuing it at zero', async () => {
    const book = bookWith('0', [['GLD', '10', '180']]);
    const { deps, input, queue } = setup({ book });
    const outcome = await runStrategy(deps, input);
    expect(outcome.outcome === 'FAILED' && outcome.reason).toMatch(/GLD/);
    expect(queue.sent).toEqual([]);
  });

  it('re-sends the identical messages of the recorded plan when retried, without planning again', async () => {
    const book = bookWith('0', [['TLT', '333.333333333', '90']]);
    const first = setup({ book });
    await runStrategy(first.deps, first.input);
    const again = await runStrategy(
      { ...first.deps, evaluator: { evaluate: async () => weights({ GLD: '1' }) } },
      first.input,
    );
    expect(again.outcome === 'PLANNED' && again.resumed).toBe(true);
    expect(first.runs.recordCalls).toBe(1);
    const [a, b] = [first.queue.sent[0], first.queue.sent[1]];
    expect(a && b && serializeExecutionMessage(a)).toBe(b && serializeExecutionMessage(b));
  });

  it('writes and sends nothing on a dry run', async () => {
    const { deps, input, queue, runs } = setup();
    const outcome = await runStrategy(deps, { ...input, dryRun: true });
    expect(outcome.outcome).toBe('DRY_RUN');
    expect(queue.sent).toEqual([]);
    expect(runs.recordCalls).toBe(0);
  });

  it('has nothing to do when the book already holds its targets', async () => {
    const book = bookWith('0', [
      ['QQQ', '37.5', '400'],
      ['SPY', '30', '500'],
    ]);
    const { deps, input, queue } = setup({ book });
    const outcome = await runStrategy(deps, input);
    expect(outcome.outcome).toBe('NOTHING_TO_DO');
    expect(queue.sent).toEqual([]);
  });
});

describe('a strategy with a rebalance schedule', () => {
  // Holds TLT only; its targets are SPY and QQQ: a day it is due, it trades.
  const book = bookWith('0', [['TLT', '333.333333333', '90']]);
  const weekly: StrategyEvaluation = {
    ...weights({ SPY: '0.5', QQQ: '0.5' }),
    schedule: { kind: 'calendar', frequency: 'weekly' },
  };

  it('trades on the first trading day of a week when its last rebalance was the week before', async () => {
    const { deps, input, queue, runs } = setup({
      evaluation: weekly,
      book,
      lastRebalance: TradingDate('2025-02-24'),
    });
    const outcome = await runStrategy(deps, input); // Monday 2025-03-03
    expect(outcome.outcome).toBe('PLANNED');
    expect(queue.sent.length).toBeGreaterThan(0);
    expect(runs.notDue.size).toBe(0);
    expect(runs.rebalanced.get('local-2025-03-03/momentum')).toBe(true);
  });

  it('is not due later in a week it already rebalanced: no trade, no order, NOTHING_TO_DO with the reason recorded', async () => {
    const { deps, input, queue, runs } = setup({
      evaluation: weekly,
      book,
      lastRebalance: TradingDate('2025-03-03'),
    });
    const outcome = await runStrategy(deps, {
      ...input,
      runId: RunId('local-2025-03-05'),
      asOf: TradingDate('2025-03-05'),
    });
    expect(outcome.outcome).toBe('NOTHING_TO_DO');
    expect(queue.sent).toEqual([]);
    if (outcome.outcome !== 'NOTHING_TO_DO') throw new Error('unreachable');
    expect(outcome.record.plan).toMatchObject({ sells: [], buys: [], suppressed: [] });
    expect(outcome.record.notDue).toBe('rebalances weekly: already rebalanced in 2025-W10 on 2025-03-03');
    expect(runs.notDue.get('local-2025-03-05/momentum')).toBe(outcome.record.notDue);
    expect(runs.rebalanced.get('local-2025-03-05/momentum')).toBeUndefined();
  });

  it('moves no cash on a day it is not due: the top-up it is owed waits for its due day', async () => {
    // 20000 of TLT against a target of 30000 (0.3 of 100000): a top-up of 10000 on a due day.
    const under = bookWith('0', [['TLT', '222.222222222', '90']]);
    const { deps, input, queue, runs } = setup({
      evaluation: weekly,
      book: under,
      lastRebalance: TradingDate('2025-03-03'),
      lastAllocation: '0.3',
    });
    const wednesday = { ...input, runId: RunId('local-2025-03-05'), asOf: TradingDate('2025-03-05') };
    const outcome = await runStrategy(deps, wednesday);
    expect(outcome.outcome).toBe('NOTHING_TO_DO');
    expect(queue.sent).toEqual([]);
    const plan = runs.plans.get('local-2025-03-05/momentum');
    expect(plan?.capital.transfer).toBeNull();
    expect(plan?.capital.explanation).toBe(
      'not due: rebalances weekly: already rebalanced in 2025-W10 on 2025-03-03',
    );
    // Its due day (next Monday) tops it up and trades.
    const monday = setup({
      evaluation: weekly,
      book: under,
      lastRebalance: TradingDate('2025-03-03'),
      lastAllocation: '0.3',
    });
    await runStrategy(monday.deps, {
      ...input,
      runId: RunId('local-2025-03-10'),
      asOf: TradingDate('2025-03-10'),
    });
    expect(monday.runs.plans.get('local-2025-03-10/momentum')?.capital.transfer?.amount.isPositive()).toBe(
      true,
    );
  });

  it('is due on a day its allocation changed, however its schedule reads: the new capital is cash and trades at once', async () => {
    const { deps, input, queue, runs } = setup({
      evaluation: weekly,
      book,
      lastRebalance: TradingDate('2025-03-03'),
      lastAllocation: '0.2',
    });
    const outcome = await runStrategy(deps, {
      ...input,
      runId: RunId('local-2025-03-05'),
      asOf: TradingDate('2025-03-05'),
      allocation: Weight.parse('0.4'),
    });
    expect(outcome.outcome).toBe('PLANNED');
    expect(queue.sent.length).toBeGreaterThan(0);
    expect(runs.notDue.size).toBe(0);
    expect(runs.rebalanced.get('local-2025-03-05/momentum')).toBe(true);
    expect(runs.plans.get('local-2025-03-05/momentum')?.capital.transfer?.amount.isPositive()).toBe(true);
  });

  it('records the allocation its rebalance funded: the share the pool could pay, so it stays due until funded', async () => {
    const changed = {
      evaluation: weekly,
      // Equity 30000: 300 TLT at 90 and 3000 of cash.
      book: bookWith('30000', [['TLT', '300', '90']]),
      lastRebalance: TradingDate('2025-03-03'),
      lastAllocation: '0.2',
    };
    const wednesday = { runId: RunId('local-2025-03-05'), asOf: TradingDate('2025-03-05') };
    const short = setup(changed);
    await runStrategy(short.deps, {
      ...short.input,
      ...wednesday,
      allocation: Weight.parse('0.4'),
      topUpLimit: Money.parse('4000'),
    });
    const capped = short.runs.plans.get('local-2025-03-05/momentum');
    expect(capped?.capital.transfer?.amount.toString()).toBe('4000');
    // Its 30000 and the 4000 paid: 0.34 of the account's 100000, not yet its 0.4.
    expect(capped?.rebalancedAllocation?.toString()).toBe('0.34');

    const paid = setup(changed);
    await runStrategy(paid.deps, { ...paid.input, ...wednesday, allocation: Weight.parse('0.4') });
    expect(paid.runs.plans.get('local-2025-03-05/momentum')?.rebalancedAllocation?.toString()).toBe('0.4');
  });

  it('catches up later in the week when the week’s first trading day did not rebalance', async () => {
    const { deps, input, queue } = setup({
      evaluation: weekly,
      book,
      lastRebalance: TradingDate('2025-02-24'),
    });
    const outcome = await runStrategy(deps, {
      ...input,
      runId: RunId('local-2025-03-05'),
      asOf: TradingDate('2025-03-05'),
    });
    expect(outcome.outcome).toBe('PLANNED');
    expect(queue.sent.length).toBeGreaterThan(0);
  });

  it('invests a new book at once, whatever the day of the period', async () => {
    const { deps, input } = setup({
      evaluation: { ...weekly, schedule: { kind: 'calendar', frequency: 'monthly' } },
    });
    const outcome = await runStrategy(deps, {
      ...input,
      runId: RunId('local-2025-03-05'),
      asOf: TradingDate('2025-03-05'),
    });
    expect(outcome.outcome).toBe('PLANNED');
  });

  describe('threshold trading (:rebalance-frequency :none with a threshold)', () => {
    const threshold = (w: Record<string, string>): StrategyEvaluation => ({
      ...weights(w),
      schedule: { kind: 'threshold', threshold: Weight.parse('0.05') },
    });
    // 10 SPY at 500 and 12.5 QQQ at 400 bought with its 10,000: 50% / 50% of its equity.
    const held = bookWith('10000', [
      ['SPY', '10', '500'],
      ['QQQ', '12.5', '400'],
    ]);

    it('is not due while every weight is within the threshold of its target', async () => {
      const { deps, input, queue } = setup({
        evaluation: threshold({ SPY: '0.53', QQQ: '0.47' }),
        book: held,
        lastRebalance: TradingDate('2025-02-24'),
      });
      const outcome = await runStrategy(deps, input);
      expect(outcome.outcome).toBe('NOTHING_TO_DO');
      expect(queue.sent).toEqual([]);
      if (outcome.outcome !== 'NOTHING_TO_DO') throw new Error('unreachable');
      expect(outcome.record.notDue).toBe('every weight is within 0.05 of its target');
    });

    it('rebalances once a weight drifts beyond the threshold', async () => {
      const { deps, input, queue } = setup({
        evaluation: threshold({ SPY: '0.6', QQQ: '0.4' }),
        book: held,
        lastRebalance: TradingDate('2025-02-24'),
      });
      const outcome = await runStrategy(deps, input);
      expect(outcome.outcome).toBe('PLANNED');
      expect(queue.sent.length).toBeGreaterThan(0);
    });
  });
});

describe('a due day of a scheduled book that needs no trade', () => {
  it('still counts as its rebalance once the book has invested, so a later day of the week does not catch up', async () => {
    const held = bookWith('10000', [
      ['SPY', '10', '500'],
      ['QQQ', '12.5', '400'],
    ]);
    const { deps, input, runs } = setup({
      evaluation: {
        ...weights({ SPY: '0.5', QQQ: '0.5' }),
        schedule: { kind: 'calendar', frequency: 'weekly' },
      },
      book: held,
      lastRebalance: TradingDate('2025-02-24'),
    });
    // Its capital is its equity: it holds its targets exactly.
    const outcome = await runStrategy(deps, { ...input, allocation: Weight.parse('0.1') });
    expect(outcome.outcome).toBe('NOTHING_TO_DO');
    expect(runs.rebalanced.get('local-2025-03-03/momentum')).toBe(true);
  });

  it('is not the first investment of a new book while it has nothing to buy', async () => {
    const { deps, input, runs } = setup({
      evaluation: {
        ...weights({ SPY: '0.5', QQQ: '0.5' }),
        schedule: { kind: 'calendar', frequency: 'weekly' },
      },
    });
    const outcome = await runStrategy(deps, { ...input, allocation: Weight.parse('0') });
    expect(outcome.outcome).toBe('NOTHING_TO_DO');
    expect(runs.rebalanced.get('local-2025-03-03/momentum')).toBe(false);
  });
});

describe('a strategy of the merged (legacy) flow', () => {
  it('returns its partial signal (weights × allocation) and neither reads its book nor trades', async () => {
    const { deps, input, queue, runs } = setup({ book: 'unreadable' });
    const outcome = await runStrategy(deps, { ...input, flow: 'legacy' });
    expect(outcome.outcome).toBe('SIGNALLED');
    if (outcome.outcome !== 'SIGNALLED') return;
    expect(Object.fromEntries([...outcome.signal.contributions].map(([s, w]) => [s, w.toString()]))).toEqual({
      SPY: '0.15',
      QQQ: '0.15',
    });
    expect(outcome.signal.flow).toBe('legacy');
    expect(queue.sent).toEqual([]);
    expect(runs.plans.size).toBe(0);
    expect(runs.signals.has('local-2025-03-03/momentum')).toBe(true);
  });

  it.each([
    [
      'legacy',
      { kind: 'calendar', frequency: 'weekly' } as const,
      'momentum: momentum.clj sets :rebalance-frequency :weekly, which the legacy flow cannot honour',
    ],
    [
      'shadow',
      { kind: 'threshold', threshold: Weight.parse('0.05') } as const,
      'momentum: momentum.clj sets :rebalance-frequency :none with :rebalance-threshold 0.05, which the shadow flow cannot honour',
    ],
  ] as const)(
    'refuses a rebalance schedule on the %s flow, naming the strategy and the setting, with no signal',
    async (flow, schedule, message) => {
      const { deps, input, runs, queue } = setup({
        evaluation: { ...weights({ SPY: '1' }), schedule },
      });
      const outcome = await runStrategy(deps, { ...input, flow });
      expect(outcome.outcome).toBe('FAILED');
      if (outcome.outcome !== 'FAILED') return;
      expect(outcome.reason.startsWith(message)).toBe(true);
      expect(outcome.reason).toContain('books migrate momentum --to per-strategy');
      expect(runs.failures.get('local-2025-03-03/momentum')).toBe(outcome.reason);
      expect(runs.signals.size).toBe(0);
      expect(queue.sent).toEqual([]);
    },
  );

  it('records a shadow strategy’s DSL failure like any other, with no signal', async () => {
    const { deps, input, runs } = setup({
      evaluation: { ok: false, code: 'PARSE', message: 'momentum.clj:3:7: unexpected )' },
    });
    const outcome = await runStrategy(deps, { ...input, flow: 'shadow' });
    expect(outcome).toMatchObject({ outcome: 'FAILED', reason: 'momentum.clj:3:7: unexpected )' });
    expect(runs.signals.size).toBe(0);
  });

  it('records malformed bars as this strategy’s failure with code BAD_DATA, naming the file and line', async () => {
    const message =
      'momentum.clj: the bars it needs are malformed: /bars/TLT.csv:11: close "NaN" is not a non-negative decimal';
    const { deps, input, queue, lines } = setup({ evaluation: { ok: false, code: 'BAD_DATA', message } });
    const outcome = await runStrategy(deps, input);
    expect(outcome).toMatchObject({ outcome: 'FAILED', reason: message });
    expect(queue.sent).toEqual([]);
    expect(lines.map((l) => JSON.parse(l)).find((l) => l.event === 'strategy-failed')).toMatchObject({
      code: 'BAD_DATA',
    });
  });
});
