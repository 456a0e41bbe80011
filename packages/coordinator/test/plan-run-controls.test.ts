import {
  type BookStanding,
  createLogger,
  ManualClock,
  Money,
  marketTimeToInstant,
  parseBooksConfig,
  type StrategyId,
  Symbol,
  type TradingDate,
} from '@books/core';
import { type PlanRunDeps, planRun } from '../src/plan-run';
import type { ControlStandings, RunRecord, RunStore } from '../src/ports';

class MemoryRunStore implements RunStore {
  runs = new Map<string, RunRecord>();
  skips: string[] = [];
  async createRun(record: RunRecord) {
    this.runs.set(record.runId, record);
    return { result: 'created' as const, record };
  }
  async recordSkip(_stage: string, date: TradingDate, reason: string) {
    this.skips.push(`${date}: ${reason}`);
  }
  async finishRun() {}
}

const config = {
  limits: { accountDailyNotionalCap: '10000', concentrationWarning: '0.25' },
  strategies: [
    {
      file: 'momentum.clj',
      allocation: '0.30',
      flow: 'per-strategy',
      limits: { dailyNotionalCap: '2000', drawdownStop: { maxDrawdown: '0.2', action: 'liquidate' } },
    },
    { file: 'mean_reversion.clj', allocation: '0.20', flow: 'per-strategy' },
    { file: 'breakout.clj', allocation: '0.40', flow: 'per-strategy' },
  ],
};

const note = { by: 'ann', at: '2026-11-24T15:00:00.000Z', reason: 'earnings' };

function deps(controls: ControlStandings | undefined) {
  const runs = new MemoryRunStore();
  const d: PlanRunDeps = {
    stage: 'test',
    config: { load: async () => parseBooksConfig(config, { source: 'config.test.json' }) },
    calendar: {
      async session(date) {
        return {
          date,
          openAt: marketTimeToInstant(date, '09:30'),
          closeAt: marketTimeToInstant(date, '16:00'),
        };
      },
    },
    account: {
      async account() {
        return { equity: Money.parse('100000'), cash: Money.parse('40000') };
      },
      async positions() {
        return [
          { symbol: Symbol('SPY'), marketValue: Money.parse('30000') },
          { symbol: Symbol('TLT'), marketValue: Money.parse('20000') },
        ];
      },
    },
    symbols: { symbolsOf: async () => [] },
    runs,
    clock: new ManualClock('2026-11-24T20:30:00Z'),
    logger: createLogger({ service: 'test' }, { destination: { write: () => undefined } }),
    ...(controls ? { controls } : {}),
  };
  return { d, runs };
}

const standings = (books: Record<string, BookStanding>, halt?: typeof note): ControlStandings => ({
  standings: async () => ({
    ...(halt ? { halt: { state: 'halted' as const, ...halt } } : {}),
    books: new Map(Object.entries(books) as [StrategyId, BookStanding][]),
  }),
});

describe('planning a run under trader controls', () => {
  it('plans nothing on a halted account and records who halted it and why as the run skip', async () => {
    const { d, runs } = deps(standings({}, note));
    const result = await planRun(d, { executionId: 'e1' });
    expect(result).toMatchObject({ proceed: false });
    if (result.proceed) return;
    expect(result.reason).toBe(
      'halted: trading halted by ann at 2026-11-24T15:00:00.000Z: earnings (books resume --account clears it)',
    );
    expect(runs.skips).toEqual([`2026-11-24: ${result.reason}`]);
    expect(runs.runs.size).toBe(0);
  });

  it('stops the run when the controls cannot be read: a control of real money is never guessed', async () => {
    const { d } = deps({
      standings: async () => {
        throw new Error('AccessDenied');
      },
    });
    const result = await planRun(d, { executionId: 'e1' });
    expect(result).toEqual({
      proceed: false,
      reason: 'stopped: the trader controls cannot be read (AccessDenied)',
      runId: 'test-2026-11-24',
    });
  });

  it('does not dispatch a paused book and records it SKIPPED as paused, with why', async () => {
    const { d, runs } = deps(standings({ momentum: { kind: 'paused', why: 'paused by ann: earnings' } }));
    const result = await planRun(d, { executionId: 'e1' });
    if (!result.proceed) throw new Error(result.reason);
    expect(result.items.map((i) => i.strategyId)).toEqual(['mean_reversion', 'breakout']);
    expect(runs.runs.get('test-2026-11-24')?.strategies[0]).toMatchObject({
      strategyId: 'momentum',
      status: 'SKIPPED',
      note: 'paused: paused by ann: earnings',
    });
  });

  it('dispatches a liquidating book with its request, uncapped, and notes it on the run record', async () => {
    const { d, runs } = deps(
      standings({ momentum: { kind: 'liquidate', requestId: 'req1', why: 'liquidate by ann: exit' } }),
    );
    const result = await planRun(d, { executionId: 'e1' });
    if (!result.proceed) throw new Error(result.reason);
    const item = result.items.find((i) => i.strategyId === 'momentum');
    expect(item).toMatchObject({ liquidate: { requestId: 'req1', why: 'liquidate by ann: exit' } });
    expect(item?.dailyNotionalCap).toBeUndefined();
    expect(runs.runs.get('test-2026-11-24')?.strategies[0]?.note).toBe('liquidating: liquidate by ann: exit');
    // The account cap is shared by the books that trade: 10000 × 0.2/0.6 and 10000 × 0.4/0.6.
    expect(result.items.map((i) => [i.strategyId, i.dailyNotionalCap])).toEqual([
      ['momentum', undefined],
      ['mean_reversion', '3333.33'],
      ['breakout', '6666.66'],
    ]);
  });

  it("gives each book the smaller of its own cap and its share of the account's, and its drawdown stop", async () => {
    const { d } = deps(standings({}));
    const result = await planRun(d, { executionId: 'e1' });
    if (!result.proceed) throw new Error(result.reason);
    expect(result.items.map((i) => [i.strategyId, i.dailyNotionalCap, i.drawdownStop])).toEqual([
      ['momentum', '2000', { maxDrawdown: '0.2', action: 'liquidate' }],
      ['mean_reversion', '2222.22', undefined],
      ['breakout', '4444.44', undefined],
    ]);
  });

  it("warns when one symbol's value passes the configured share of the account's equity", async () => {
    const { d } = deps(standings({}));
    const result = await planRun(d, { executionId: 'e1' });
    if (!result.proceed) throw new Error(result.reason);
    expect(result.warnings).toEqual(["concentration: SPY is 30% of the account's equity (limit 25%)"]);
  });
});
