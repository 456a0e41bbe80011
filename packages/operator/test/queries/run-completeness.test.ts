import { ClientOrderId, Quantity, RunId, StrategyId, Symbol, TradingDate } from '@books/core';
import type { OrderIntent, RunItems, RunStrategy, StrategyRunStatus } from '@books/ledger-client';
import { type PlanTrade, runCompleteness, type StrategyPlanView } from '../../src/queries/run-completeness';

const RUN = RunId('test-2024-01-02');
const AT = '2024-01-02T20:30:00.000Z';
const CLOSE = new Date('2024-01-02T21:00:00.000Z');
const BEFORE_CLOSE = new Date('2024-01-02T20:45:00.000Z');
const AFTER_CLOSE = new Date('2024-01-02T21:00:00.000Z');

function strategy(id: string, status: StrategyRunStatus, extra: Partial<RunStrategy> = {}): RunStrategy {
  return {
    runId: RUN,
    strategyId: StrategyId(id),
    flow: 'per-strategy',
    status,
    pendingSells: 0,
    heldBuys: [],
    updatedAt: AT,
    ...extra,
  };
}

function trade(side: 'buy' | 'sell', symbol: string, qty = '10'): PlanTrade {
  return { clientOrderId: `sb-s-${symbol}-${side}`, symbol, side, qty };
}

function intent(sid: string, t: PlanTrade, state: string, reason?: string): OrderIntent {
  return {
    runId: RUN,
    clientOrderId: ClientOrderId(t.clientOrderId),
    strategyId: StrategyId(sid),
    symbol: Symbol(t.symbol),
    side: t.side,
    leg: 0,
    qty: Quantity.parse(t.qty),
    state,
    ...(reason ? { reason } : {}),
    createdAt: AT,
    updatedAt: AT,
  };
}

function run(strategies: RunStrategy[], intents: OrderIntent[] = []): RunItems {
  return {
    meta: {
      runId: RUN,
      tradingDate: TradingDate('2024-01-02'),
      trigger: 'test',
      status: 'DISPATCHED',
      createdAt: AT,
      updatedAt: AT,
    },
    strategies,
    intents,
  };
}

function plan(p: Partial<StrategyPlanView>): StrategyPlanView {
  return { sells: [], buys: [], suppressed: [], ...p };
}

const SELL_SPY = trade('sell', 'SPY');
const BUY_QQQ = trade('buy', 'QQQ');
const BUY_IWM = trade('buy', 'IWM');

describe('runCompleteness: one strategy', () => {
  it.each([
    {
      name: 'a FAILED strategy is final with its error',
      strategy: strategy('s', 'FAILED', { error: 'bad DSL at s.clj:1:2' }),
      plan: undefined,
      intents: [],
      status: 'FAILED',
      final: true,
      reason: 'bad DSL at s.clj:1:2',
    },
    {
      name: 'a FAILED strategy without a recorded error still says so',
      strategy: strategy('s', 'FAILED'),
      plan: undefined,
      intents: [],
      status: 'FAILED',
      final: true,
      reason: 'failed (no reason recorded)',
    },
    {
      name: 'a SKIPPED (disabled) strategy is final with its note',
      strategy: strategy('s', 'SKIPPED', { skipReason: 'disabled' }),
      plan: undefined,
      intents: [],
      status: 'SKIPPED',
      final: true,
      reason: 'disabled',
    },
    {
      name: 'a PENDING strategy (no plan yet) is not final',
      strategy: strategy('s', 'PENDING'),
      plan: undefined,
      intents: [],
      status: 'PENDING',
      final: false,
    },
    {
      name: 'a NOTHING_TO_DO strategy is final',
      strategy: strategy('s', 'NOTHING_TO_DO'),
      plan: plan({}),
      intents: [],
      status: 'NOTHING_TO_DO',
      final: true,
    },
    {
      name: 'a strategy not due by its rebalance schedule is NOT_DUE, final, with its reason',
      strategy: strategy('s', 'NOTHING_TO_DO', {
        notDue: 'rebalances weekly: already rebalanced in 2024-W01',
      }),
      plan: plan({}),
      intents: [],
      status: 'NOT_DUE',
      final: true,
    },
    {
      name: 'a PLANNED strategy whose every trade filled is TRADED',
      strategy: strategy('s', 'PLANNED'),
      plan: plan({ sells: [SELL_SPY], buys: [BUY_QQQ], release: { buys: [BUY_QQQ], suppressed: [] } }),
      intents: [intent('s', SELL_SPY, 'FILLED'), intent('s', BUY_QQQ, 'FILLED')],
      status: 'TRADED',
      final: true,
    },
    {
      name: 'rejected and canceled trades are final: the strategy is TRADED',
      strategy: strategy('s', 'PLANNED'),
      plan: plan({ buys: [BUY_QQQ, BUY_IWM] }),
      intents: [
        intent('s', BUY_QQQ, 'REJECTED', 'insufficient buying power'),
        intent('s', BUY_IWM, 'CANCELED'),
      ],
      status: 'TRADED',
      final: true,
    },
    {
      name: 'a SELL still SUBMITTED keeps the strategy PLANNED',
      strategy: strategy('s', 'PLANNED', { pendingSells: 1 }),
      plan: plan({ sells: [SELL_SPY] }),
      intents: [intent('s', SELL_SPY, 'SUBMITTED')],
      status: 'PLANNED',
      final: false,
    },
    {
      name: 'a PARTIALLY_FILLED trade is not final',
      strategy: strategy('s', 'PLANNED'),
      plan: plan({ buys: [BUY_QQQ] }),
      intents: [intent('s', BUY_QQQ, 'PARTIALLY_FILLED')],
      status: 'PLANNED',
      final: false,
    },
    {
      name: 'a SELL execution has not recorded yet is QUEUED, not final',
      strategy: strategy('s', 'PLANNED', { pendingSells: 1 }),
      plan: plan({ sells: [SELL_SPY] }),
      intents: [],
      status: 'PLANNED',
      final: false,
    },
    {
      name: 'BUYs held behind SELLs that are done but not released keep it PLANNED',
      strategy: strategy('s', 'PLANNED', { heldBuys: [ClientOrderId(BUY_QQQ.clientOrderId)] }),
      plan: plan({ sells: [SELL_SPY], buys: [BUY_QQQ] }),
      intents: [intent('s', SELL_SPY, 'FILLED')],
      status: 'PLANNED',
      final: false,
    },
    {
      name: 'a plan whose every BUY was suppressed at release (after a filled SELL) is TRADED',
      strategy: strategy('s', 'PLANNED'),
      plan: plan({
        sells: [SELL_SPY],
        buys: [BUY_QQQ],
        release: {
          buys: [],
          suppressed: [{ symbol: 'QQQ', side: 'buy', qty: '1', reason: 'insufficient-cash' }],
        },
      }),
      intents: [intent('s', SELL_SPY, 'FILLED')],
      status: 'TRADED',
      final: true,
    },
    {
      name: 'a PLANNED strategy without its plan item is incomplete',
      strategy: strategy('s', 'PLANNED'),
      plan: undefined,
      intents: [intent('s', BUY_QQQ, 'FILLED')],
      status: 'PLANNED',
      final: false,
    },
    {
      name: 'a SIGNALLED (legacy-flow) strategy is final: the LEGACY book trades its signal',
      strategy: strategy('s', 'SIGNALLED'),
      plan: undefined,
      intents: [],
      status: 'SIGNALLED',
      final: true,
    },
    {
      name: 'a FAILED strategy with an order still open is not final until the order is',
      strategy: strategy('s', 'FAILED', { error: 'worker crashed after sending' }),
      plan: undefined,
      intents: [intent('s', SELL_SPY, 'SUBMITTED')],
      status: 'FAILED',
      final: false,
    },
    {
      name: 'a PLANNED strategy with a SELL counted pending is not final, even with no trade open',
      strategy: strategy('s', 'PLANNED', { pendingSells: 1 }),
      plan: plan({ sells: [SELL_SPY] }),
      intents: [intent('s', SELL_SPY, 'FILLED')],
      status: 'PLANNED',
      final: false,
    },
  ])('$name', ({ strategy: s, plan: p, intents, status, final, reason }) => {
    const plans = new Map(p ? [[s.strategyId as string, p]] : []);
    const result = runCompleteness(run([s], intents), plans, BEFORE_CLOSE, CLOSE);
    const only = result.strategies[0];
    expect(only?.status).toBe(status);
    expect(only?.final).toBe(final);
    if (reason !== undefined) expect(only?.reason).toBe(reason);
    expect(only?.missing.length === 0).toBe(final);
    expect(result.status).toBe(final ? 'COMPLETE' : 'IN_PROGRESS');
  });
});

describe('runCompleteness: planned trades', () => {
  it.each([
    {
      name: 'a trade takes its intent state and reason',
      plan: plan({ buys: [BUY_QQQ] }),
      intents: [intent('s', BUY_QQQ, 'REJECTED', 'asset not tradable')],
      expected: [{ symbol: 'QQQ', state: 'REJECTED', final: true, reason: 'asset not tradable' }],
    },
    {
      name: "the plan's suppressed trades are SUPPRESSED with the plan's reason",
      plan: plan({
        suppressed: [{ symbol: 'IWM', side: 'buy', qty: '0.01', reason: 'below-minimum-notional' }],
      }),
      intents: [],
      expected: [{ symbol: 'IWM', state: 'SUPPRESSED', final: true, reason: 'below-minimum-notional' }],
    },
    {
      name: 'BUYs of a plan with SELLs are HELD until released',
      plan: plan({ sells: [SELL_SPY], buys: [BUY_QQQ] }),
      intents: [intent('s', SELL_SPY, 'SUBMITTED')],
      expected: [
        { symbol: 'SPY', state: 'SUBMITTED', final: false },
        { symbol: 'QQQ', state: 'HELD', final: false, reason: 'held until the SELLs are done' },
      ],
    },
    {
      name: 'BUYs of a plan without SELLs are sent at once: QUEUED until executed',
      plan: plan({ buys: [BUY_QQQ] }),
      intents: [],
      expected: [{ symbol: 'QQQ', state: 'QUEUED', final: false }],
    },
    {
      name: 'a released BUY takes its intent state; a planned BUY dropped at release is SUPPRESSED with the release reason',
      plan: plan({
        sells: [SELL_SPY],
        buys: [BUY_QQQ, BUY_IWM],
        release: {
          buys: [BUY_QQQ],
          suppressed: [{ symbol: 'IWM', side: 'buy', qty: '2', reason: 'insufficient-cash' }],
        },
      }),
      intents: [intent('s', SELL_SPY, 'FILLED'), intent('s', BUY_QQQ, 'FILLED')],
      expected: [
        { symbol: 'SPY', state: 'FILLED', final: true },
        { symbol: 'QQQ', state: 'FILLED', final: true },
        { symbol: 'IWM', state: 'SUPPRESSED', final: true, reason: 'insufficient-cash (at release)' },
      ],
    },
    {
      name: 'a planned BUY the release no longer needed is SUPPRESSED and says so',
      plan: plan({ sells: [SELL_SPY], buys: [BUY_IWM], release: { buys: [], suppressed: [] } }),
      intents: [intent('s', SELL_SPY, 'FILLED')],
      expected: [
        { symbol: 'SPY', state: 'FILLED', final: true },
        {
          symbol: 'IWM',
          state: 'SUPPRESSED',
          final: true,
          reason: 'not needed when re-sized after the SELLs',
        },
      ],
    },
    {
      name: 'an intent the plan does not explain is listed all the same',
      plan: plan({ buys: [BUY_QQQ] }),
      intents: [intent('s', BUY_QQQ, 'FILLED'), intent('s', BUY_IWM, 'EXPIRED')],
      expected: [
        { symbol: 'QQQ', state: 'FILLED', final: true },
        { symbol: 'IWM', state: 'EXPIRED', final: true },
      ],
    },
  ])('$name', ({ plan: p, intents, expected }) => {
    const result = runCompleteness(
      run([strategy('s', 'PLANNED')], intents),
      new Map([['s', p]]),
      BEFORE_CLOSE,
      CLOSE,
    );
    expect(result.strategies[0]?.trades).toEqual(expected.map((e) => expect.objectContaining(e)));
  });

  it("does not count another strategy's intents", () => {
    const result = runCompleteness(
      run([strategy('a', 'NOTHING_TO_DO'), strategy('b', 'PLANNED')], [intent('b', BUY_QQQ, 'FILLED')]),
      new Map([
        ['a', plan({})],
        ['b', plan({ buys: [BUY_QQQ] })],
      ]),
      BEFORE_CLOSE,
      CLOSE,
    );
    expect(result.strategies.map((s) => [s.strategyId, s.status, s.trades.length])).toEqual([
      ['a', 'NOTHING_TO_DO', 0],
      ['b', 'TRADED', 1],
    ]);
  });
});

describe('runCompleteness: the run', () => {
  const complete = [strategy('a', 'NOTHING_TO_DO'), strategy('b', 'FAILED', { error: 'boom' })];
  const incomplete = [strategy('a', 'NOTHING_TO_DO'), strategy('c', 'PLANNED', { pendingSells: 1 })];
  const plans = new Map([
    ['a', plan({})],
    ['c', plan({ sells: [SELL_SPY], buys: [BUY_QQQ] })],
  ]);

  it.each([
    {
      name: 'a complete run before the close is COMPLETE',
      strategies: complete,
      now: BEFORE_CLOSE,
      status: 'COMPLETE',
    },
    {
      name: 'a complete run after the close is COMPLETE',
      strategies: complete,
      now: AFTER_CLOSE,
      status: 'COMPLETE',
    },
    {
      name: 'an incomplete run before the close is IN_PROGRESS',
      strategies: incomplete,
      now: BEFORE_CLOSE,
      status: 'IN_PROGRESS',
    },
    {
      name: 'an incomplete run at the close is STUCK',
      strategies: incomplete,
      now: AFTER_CLOSE,
      status: 'STUCK',
    },
    { name: 'a run of no strategy is COMPLETE', strategies: [], now: AFTER_CLOSE, status: 'COMPLETE' },
  ])('$name', ({ strategies, now, status }) => {
    expect(runCompleteness(run(strategies), plans, now, CLOSE).status).toBe(status);
  });

  it('a STUCK run lists what is missing, per strategy', () => {
    const result = runCompleteness(
      run([...incomplete, strategy('d', 'PENDING')], [intent('c', SELL_SPY, 'SUBMITTED')]),
      plans,
      AFTER_CLOSE,
      CLOSE,
    );
    expect(result.status).toBe('STUCK');
    expect(result.missing).toEqual([
      'c: SELL 10 SPY is SUBMITTED',
      'c: BUY 10 QQQ is HELD (held until the SELLs are done)',
      'd: no plan yet',
    ]);
    expect(result.closeAt).toBe(CLOSE.toISOString());
  });

  it('is not COMPLETE before the coordinator has dispatched the run, and says so', () => {
    const items = { ...run(complete), meta: { ...run(complete).meta, status: 'PLANNED' as const } };
    const result = runCompleteness(items, plans, AFTER_CLOSE, CLOSE);
    expect(result.status).toBe('STUCK');
    expect(result.strategies.every((s) => s.final)).toBe(true);
    expect(result.missing).toEqual(['the run is PLANNED']);
  });

  it('is not COMPLETE while an intent of a strategy the run does not list is open', () => {
    const result = runCompleteness(
      run(complete, [intent('ghost', BUY_QQQ, 'SUBMITTED')]),
      plans,
      BEFORE_CLOSE,
      CLOSE,
    );
    expect(result.status).toBe('IN_PROGRESS');
    expect(result.missing).toEqual([`intent ${BUY_QQQ.clientOrderId} is SUBMITTED`]);
  });

  it('lists strategies in id order whatever order the run stores them in', () => {
    const result = runCompleteness(
      run([strategy('b', 'NOTHING_TO_DO'), strategy('a', 'NOTHING_TO_DO')]),
      new Map(),
      BEFORE_CLOSE,
      CLOSE,
    );
    expect(result.strategies.map((s) => s.strategyId)).toEqual(['a', 'b']);
  });
});
