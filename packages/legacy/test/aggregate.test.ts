import { RunId, StrategyId, Symbol, TradingDate, Weight } from '@books/core';
import { aggregateSignals, type MergedFlowStrategy, sharesOf, type WorkerSignal } from '../src';

const w = (v: string) => Weight.parse(v);
const sid = StrategyId;
const STRATEGIES: MergedFlowStrategy[] = [
  { strategyId: sid('alpha'), flow: 'legacy', allocation: w('0.4') },
  { strategyId: sid('beta'), flow: 'shadow', allocation: w('0.2') },
];
const signal = (id: string, weights: Record<string, string>): WorkerSignal => ({
  strategyId: sid(id),
  outcome: 'SIGNALLED',
  weights: new Map(Object.entries(weights).map(([s, v]) => [Symbol(s), w(v)])),
});
const base = {
  runId: RunId('prod-2025-03-04'),
  tradingDate: TradingDate('2025-03-04'),
  recordedAt: '2025-03-04T20:30:00.000Z',
};
const text = (r: Record<string, Weight>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.toString()]));

describe('the aggregator', () => {
  it('sums weight × allocation per symbol and keeps each strategy’s contribution', () => {
    const merged = aggregateSignals({
      ...base,
      strategies: STRATEGIES,
      signals: new Map([
        [sid('alpha'), signal('alpha', { SPY: '0.5', TLT: '0.5' })],
        [sid('beta'), signal('beta', { SPY: '1' })],
      ]),
    });
    expect(text(merged.merged)).toEqual({ SPY: '0.4', TLT: '0.2' });
    expect(merged.legacyAllocation.toString()).toBe('0.6');
    expect(merged.strategies.map((c) => [c.strategyId, c.status, text(c.contributions)])).toEqual([
      ['alpha', 'SIGNALLED', { SPY: '0.2', TLT: '0.2' }],
      ['beta', 'SIGNALLED', { SPY: '0.2' }],
    ]);
    expect(text(sharesOf(merged, Symbol('SPY')) ?? {})).toEqual({ alpha: '0.5', beta: '0.5' });
  });

  it('keeps a failed strategy’s previous contribution (re-scaled to its allocation), so its share is not sold', () => {
    const previous = aggregateSignals({
      ...base,
      runId: RunId('prod-2025-03-03'),
      strategies: STRATEGIES,
      signals: new Map([
        [sid('alpha'), signal('alpha', { SPY: '1' })],
        [sid('beta'), signal('beta', { GLD: '1' })],
      ]),
    });
    const merged = aggregateSignals({
      ...base,
      strategies: [
        STRATEGIES[0] as MergedFlowStrategy,
        { ...(STRATEGIES[1] as MergedFlowStrategy), allocation: w('0.3') },
      ],
      signals: new Map<StrategyId, WorkerSignal>([
        [sid('alpha'), signal('alpha', { SPY: '1' })],
        [
          sid('beta'),
          { strategyId: sid('beta'), outcome: 'FAILED', reason: 'beta.clj:3:7: unknown operator' },
        ],
      ]),
      previous,
    });
    const beta = merged.strategies.find((c) => c.strategyId === 'beta');
    expect(beta).toMatchObject({
      status: 'HELD',
      heldFromRunId: 'prod-2025-03-03',
      reason: 'beta.clj:3:7: unknown operator',
    });
    expect(text(merged.merged)).toEqual({ GLD: '0.3', SPY: '0.4' });
  });

  it('records a strategy with an invalid signal (weights over 1) as failed, contributing nothing without history', () => {
    const merged = aggregateSignals({
      ...base,
      strategies: STRATEGIES,
      signals: new Map([
        [sid('alpha'), signal('alpha', { SPY: '0.7', TLT: '0.6' })],
        [sid('beta'), signal('beta', { SPY: '1' })],
      ]),
    });
    expect(merged.strategies[0]).toMatchObject({
      status: 'FAILED',
      reason: 'invalid signal: weights sum to 1.3 (> 1)',
    });
    expect(text(merged.merged)).toEqual({ SPY: '0.2' });
  });

  it('treats a strategy whose worker never reported (skipped, blocked) like a failed one', () => {
    const merged = aggregateSignals({ ...base, strategies: STRATEGIES, signals: new Map() });
    expect(merged.strategies.map((c) => [c.status, c.reason])).toEqual([
      ['FAILED', 'no signal from its worker this run'],
      ['FAILED', 'no signal from its worker this run'],
    ]);
    expect(merged.merged).toEqual({});
  });
});
