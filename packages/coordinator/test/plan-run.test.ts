import {
  createLogger,
  ManualClock,
  Money,
  marketTimeToInstant,
  parseBooksConfig,
  Quantity,
  RunId,
  StrategyId,
  Symbol,
  TradingDate,
} from '@books/core';
import { emptyBook } from '@books/portfolio';
import { type PlanRunDeps, planRun } from '../src/plan-run';
import type {
  ActivityIngestion,
  CapitalSource,
  DispatchOutcome,
  PlanSnapshot,
  RunHistory,
  RunRecord,
  RunStore,
} from '../src/ports';
import type { LatestRun } from '../src/run-order';

/** The stage's latest run in memory; `movedBy` moves it first once (another date's coordinator). */
class MemoryRunHistory implements RunHistory {
  latestRun: Omit<LatestRun, 'closeAt'> | undefined;
  movedBy: Omit<LatestRun, 'closeAt'> | undefined;
  async latest() {
    return this.latestRun;
  }
  async advance(
    _stage: string,
    seen: TradingDate | undefined,
    run: { runId: RunId; tradingDate: TradingDate },
  ) {
    if (this.movedBy) {
      this.latestRun = this.movedBy;
      this.movedBy = undefined;
      return false;
    }
    if (this.latestRun?.tradingDate !== seen) return false;
    this.latestRun = { runId: run.runId, tradingDate: run.tradingDate, inFlight: [] };
    return true;
  }
}

class MemoryRunStore implements RunStore {
  runs = new Map<string, RunRecord>();
  skips: string[] = [];
  async createRun(record: RunRecord) {
    const existing = this.runs.get(record.runId);
    if (existing) return { result: 'exists' as const, record: existing };
    this.runs.set(record.runId, record);
    return { result: 'created' as const, record };
  }
  async recordSkip(_stage: string, date: TradingDate, reason: string) {
    this.skips.push(`${date}: ${reason}`);
  }
  async finishRun(_runId: RunId, _outcomes: readonly DispatchOutcome[]) {}
}

const validConfig = {
  strategies: [
    { file: 'momentum.clj', allocation: '0.30', flow: 'per-strategy' },
    { file: 'mean_reversion.clj', allocation: '0.30', flow: 'per-strategy' },
    { file: 'breakout.clj', allocation: '0.40', flow: 'per-strategy', enabled: false },
  ],
};

function deps(overrides: { config?: unknown; now?: string; equity?: string } = {}) {
  const runs = new MemoryRunStore();
  let snapshots = 0;
  const d: PlanRunDeps = {
    stage: 'test',
    config: {
      load: async () => parseBooksConfig(overrides.config ?? validConfig, { source: 'config.test.json' }),
    },
    calendar: {
      async session(date) {
        if (date === '2026-11-26') return undefined;
        const close = date === '2026-11-27' ? '13:00' : '16:00';
        return {
          date,
          openAt: marketTimeToInstant(date, '09:30'),
          closeAt: marketTimeToInstant(date, close),
        };
      },
    },
    account: {
      async account() {
        snapshots++;
        return { equity: Money.parse(overrides.equity ?? '100000'), cash: Money.parse('100000') };
      },
    },
    symbols: {
      async symbolsOf(file) {
        return file === 'momentum.clj' ? [Symbol('SPY'), Symbol('QQQ')] : [Symbol('SPY'), Symbol('TLT')];
      },
    },
    runs,
    clock: new ManualClock(overrides.now ?? '2026-11-24T20:30:00Z'),
    logger: createLogger({ service: 'test' }, { destination: { write: () => undefined } }),
  };
  return { deps: d, runs, snapshots: () => snapshots };
}

describe('planning a daily run', () => {
  it('records the run with every strategy before any worker and hands out the enabled ones', async () => {
    const { deps: d, runs } = deps();
    const result = await planRun(d, { executionId: 'exec-1' });
    expect(result.proceed).toBe(true);
    if (!result.proceed) return;
    expect(result.runId).toBe('test-2026-11-24');
    expect(result.items.map((i) => [i.strategyId, i.allocation, i.accountEquity, i.asOf])).toEqual([
      ['momentum', '0.3', '100000', '2026-11-24'],
      ['mean_reversion', '0.3', '100000', '2026-11-24'],
    ]);
    expect(runs.runs.get('test-2026-11-24')?.strategies.map((s) => [s.strategyId, s.status])).toEqual([
      ['momentum', 'PENDING'],
      ['mean_reversion', 'PENDING'],
      ['breakout', 'SKIPPED'],
    ]);
  });

  it("records its trading session's close with the run, an early close as the calendar gives it", async () => {
    const { deps: d, runs } = deps({ now: '2026-11-27T17:30:00Z' });
    const result = await planRun(d, { executionId: 'exec-1' });
    if (!result.proceed) throw new Error(result.reason);
    // The day after Thanksgiving closes at 13:00 New York time (18:00Z).
    expect(runs.runs.get(result.runId)?.sessionCloseAt).toBe('2026-11-27T18:00:00.000Z');
  });

  const mixed = {
    strategies: [
      { file: 'momentum.clj', allocation: '0.3', flow: 'per-strategy' },
      { file: 'mean_reversion.clj', allocation: '0.3', flow: 'legacy' },
      { file: 'breakout.clj', allocation: '0.3', flow: 'shadow' },
    ],
  };

  it('dispatches every flow and hands the merged flow (legacy and shadow) its block for the Legacy state', async () => {
    const { deps: d } = deps({ config: mixed });
    const result = await planRun(d, { executionId: 'exec-1' });
    if (!result.proceed) throw new Error(result.reason);
    expect(result.items.map((i) => [i.strategyId, i.flow])).toEqual([
      ['momentum', 'per-strategy'],
      ['mean_reversion', 'legacy'],
      ['breakout', 'shadow'],
    ]);
    expect(result.legacy).toMatchObject({
      asOf: '2026-11-24',
      accountEquity: '100000',
      strategies: [
        { strategyId: 'mean_reversion', allocation: '0.3', flow: 'legacy' },
        { strategyId: 'breakout', allocation: '0.3', flow: 'shadow' },
      ],
      perStrategyIds: ['momentum', 'mean_reversion', 'breakout'],
    });
  });

  it('has no Legacy state when every strategy is per-strategy', async () => {
    const { deps: d } = deps();
    const result = await planRun(d, { executionId: 'exec-1' });
    expect(result.proceed && result.legacy).toBeUndefined();
  });

  it('applies a run-time flag over the config file’s flow and notes it on the run record', async () => {
    const { deps: d, runs } = deps({ config: mixed });
    const result = await planRun(
      {
        ...d,
        flows: { overrides: async () => new Map([[StrategyId('mean_reversion'), 'per-strategy' as const]]) },
      },
      { executionId: 'exec-1' },
    );
    if (!result.proceed) throw new Error(result.reason);
    expect(result.items.find((i) => i.strategyId === 'mean_reversion')?.flow).toBe('per-strategy');
    expect(result.legacy?.strategies.map((s) => s.strategyId)).toEqual(['breakout']);
    expect(runs.runs.get('test-2026-11-24')?.strategies[1]).toMatchObject({
      flow: 'per-strategy',
      note: 'flow per-strategy (flag; config says legacy)',
    });
  });

  it('stops the run when the flags cannot be read: the flow of real money is never guessed', async () => {
    const { deps: d, runs } = deps({ config: mixed });
    const result = await planRun(
      {
        ...d,
        flows: {
          overrides: async () => {
            throw new Error('AccessDeniedException');
          },
        },
      },
      { executionId: 'exec-1' },
    );
    expect(result).toMatchObject({
      proceed: false,
      reason: 'stopped: the flow flags cannot be read (AccessDeniedException)',
    });
    expect(runs.runs.size).toBe(0);
  });

  it('decides on its concurrent reads in the old order: unreadable flow flags stop the run before a failing guard, control store or migration gate is heard of', async () => {
    const { deps: d, runs } = deps({ config: mixed });
    const fail = (what: string) => async () => {
      throw new Error(what);
    };
    const result = await planRun(
      {
        ...d,
        flows: { overrides: fail('AccessDeniedException') },
        controls: { standings: fail('controls down') },
        flowGuard: { check: fail('guard down') },
        migrations: { open: fail('migrations down') },
      },
      { executionId: 'exec-1' },
    );
    expect(result).toMatchObject({
      proceed: false,
      reason: 'stopped: the flow flags cannot be read (AccessDeniedException)',
    });
    expect(runs.runs.size).toBe(0);
  });

  it('checks the flow guard against the flows the flags give, and throws its failure only after the controls are decided', async () => {
    const { deps: d } = deps({ config: mixed });
    const checked: string[][] = [];
    const result = await planRun(
      {
        ...d,
        flows: { overrides: async () => new Map([[StrategyId('breakout'), 'legacy' as const]]) },
        flowGuard: {
          check: async (strategies) => {
            checked.push(strategies.map((s) => `${s.id}:${s.flow}`));
            return new Map();
          },
        },
      },
      { executionId: 'exec-1' },
    );
    expect(result.proceed).toBe(true);
    expect(checked).toEqual([['momentum:per-strategy', 'mean_reversion:legacy', 'breakout:legacy']]);
    await expect(
      planRun(
        {
          ...d,
          controls: {
            standings: async () => ({
              halt: {
                state: 'halted' as const,
                by: 'ops',
                at: '2026-11-24T20:00:00.000Z',
                reason: 'incident',
              },
              books: new Map(),
            }),
          },
          flowGuard: {
            check: async () => {
              throw new Error('guard down');
            },
          },
        },
        { executionId: 'exec-2' },
      ),
    ).resolves.toMatchObject({ proceed: false, reason: expect.stringContaining('halted') });
  });

  it('skips a strategy whose flow does not match where its holdings are, with the command that fixes it', async () => {
    const { deps: d, runs } = deps({ config: mixed });
    const reason =
      'blocked: flow is legacy but the holdings of mean_reversion are in its own book: run  books migrate mean_reversion --to legacy';
    const result = await planRun(
      { ...d, flowGuard: { check: async () => new Map([[StrategyId('mean_reversion'), reason]]) } },
      { executionId: 'exec-1' },
    );
    if (!result.proceed) throw new Error(result.reason);
    expect(result.items.map((i) => i.strategyId)).toEqual(['momentum', 'breakout']);
    expect(runs.runs.get('test-2026-11-24')?.strategies[1]).toMatchObject({
      status: 'SKIPPED',
      note: reason,
    });
    // Its holdings are in its own book: the merged flow must not buy its share again.
    expect(result.legacy?.strategies.map((s) => s.strategyId)).toEqual(['breakout']);
  });

  it('holds back a strategy whose migration is open (MIGRATION_OPEN, naming it) and the merged flow, and runs the others', async () => {
    const { deps: d, runs } = deps({ config: mixed });
    const result = await planRun(
      {
        ...d,
        migrations: {
          open: async (ids) => {
            expect(ids).toEqual(['momentum', 'mean_reversion', 'breakout']);
            return [{ strategyId: StrategyId('breakout'), migrationId: 'mig-b-1', to: 'per-strategy' }];
          },
        },
      },
      { executionId: 'exec-1' },
    );
    if (!result.proceed) throw new Error(result.reason);
    // momentum is per-strategy and not migrating: it runs alone; nothing trades the legacy book.
    expect(result.items.map((i) => i.strategyId)).toEqual(['momentum']);
    expect(result.legacy).toBeUndefined();
    const [momentum, meanReversion, breakout] = runs.runs.get('test-2026-11-24')?.strategies ?? [];
    expect(momentum?.status).toBe('PENDING');
    expect(breakout).toMatchObject({
      status: 'SKIPPED',
      note: 'MIGRATION_OPEN: migration mig-b-1 of breakout to per-strategy is open: finish it with  books migrate breakout --to per-strategy',
    });
    expect(meanReversion).toMatchObject({
      status: 'SKIPPED',
      note: 'MIGRATION_OPEN: the legacy book is mid-migration (mig-b-1 of breakout): finish it with  books migrate breakout --to per-strategy',
    });
  });

  it('plans every strategy when no migration is open', async () => {
    const { deps: d } = deps({ config: mixed });
    const result = await planRun({ ...d, migrations: { open: async () => [] } }, { executionId: 'exec-1' });
    if (!result.proceed) throw new Error(result.reason);
    expect(result.items.map((i) => i.strategyId)).toEqual(['momentum', 'mean_reversion', 'breakout']);
    expect(result.legacy?.strategies.map((s) => s.strategyId)).toEqual(['mean_reversion', 'breakout']);
  });

  it('warns about symbols that several strategies can hold', async () => {
    const { deps: d, runs } = deps();
    const result = await planRun(d, { executionId: 'exec-1' });
    expect(result.proceed && result.warnings).toEqual([
      'SPY can be held by momentum, mean_reversion: each book keeps its own lots of it',
    ]);
    expect(runs.runs.get('test-2026-11-24')?.warnings).toHaveLength(1);
  });

  it('stops before any order on an invalid configuration, listing every problem', async () => {
    const { deps: d, runs } = deps({
      config: {
        strategies: [
          { file: 'a.clj', allocation: '0.6', flow: 'per-strategy' },
          { file: 'b.clj', allocation: 'x', flow: 'merged' },
        ],
      },
    });
    const result = await planRun(d, { executionId: 'exec-1' });
    expect(result).toEqual({
      proceed: false,
      reason: 'stopped: invalid strategy configuration',
      problems: [
        'strategies.1.allocation: allocation must be a decimal string such as "0.25"',
        'strategies.1.flow: must be one of per-strategy, shadow, legacy',
      ],
    });
    expect(runs.runs.size).toBe(0);
  });

  it('records "skipped: market closed" on a holiday and ends', async () => {
    const { deps: d, runs } = deps({ now: '2026-11-26T20:30:00Z' });
    const result = await planRun(d, { executionId: 'exec-1' });
    expect(result).toEqual({
      proceed: false,
      reason: 'skipped: market closed (2026-11-26 is not a trading day)',
    });
    expect(runs.skips).toEqual(['2026-11-26: skipped: market closed (2026-11-26 is not a trading day)']);
  });

  it("asks the calendar while the gates' reads go out, and a closed day still ends with only its skip recorded, whatever those reads found", async () => {
    const { deps: d, runs } = deps({ now: '2026-11-26T20:30:00Z' });
    const asked: string[] = [];
    let answerCalendar: () => void = () => undefined;
    const calendarAnswered = new Promise<void>((resolve) => {
      answerCalendar = resolve;
    });
    const result = await planRun(
      {
        ...d,
        // The calendar answers only once the controls were asked for: read one after the other, the
        // plan would wait for ever.
        calendar: {
          session: async (date) => {
            asked.push('calendar');
            await calendarAnswered;
            return d.calendar.session(date);
          },
        },
        controls: {
          standings: async () => {
            asked.push('controls');
            answerCalendar();
            throw new Error('controls down');
          },
        },
      },
      { executionId: 'exec-1' },
    );
    expect(asked).toEqual(['calendar', 'controls']);
    expect(result).toEqual({
      proceed: false,
      reason: 'skipped: market closed (2026-11-26 is not a trading day)',
    });
    expect(runs.skips).toEqual(['2026-11-26: skipped: market closed (2026-11-26 is not a trading day)']);
    expect(runs.runs.size).toBe(0);
  });

  it('skips the 15:30 trigger on an early-close day', async () => {
    const { deps: d } = deps({ now: '2026-11-27T20:30:00Z' });
    const result = await planRun(d, { executionId: 'exec-1' });
    expect(result.proceed === false && result.reason).toMatch(/^skipped: market closed \(closed at/);
  });

  it('lets exactly one of two concurrent triggers plan, and reports the run to the other', async () => {
    const { deps: d, runs, snapshots } = deps();
    const [a, b] = await Promise.all([
      planRun(d, { executionId: 'exec-a' }),
      planRun(d, { executionId: 'exec-b' }),
    ]);
    const winners = [a, b].filter((r) => r.proceed);
    expect(winners).toHaveLength(1);
    const loser = [a, b].find((r) => !r.proceed);
    expect(loser?.proceed === false && loser.reason).toMatch(
      /^already planned: run test-2026-11-24 exists \(execution exec-a\)/,
    );
    expect(runs.runs.size).toBe(1);
    expect(snapshots()).toBe(2);
  });

  it('resumes a retried execution with the snapshot it recorded, not a new one', async () => {
    const first = deps({ equity: '100000' });
    await planRun(first.deps, { executionId: 'exec-1' });
    const retried = await planRun(
      {
        ...first.deps,
        account: { account: async () => ({ equity: Money.parse('1'), cash: Money.parse('1') }) },
      },
      { executionId: 'exec-1' },
    );
    expect(retried.proceed && retried.items[0]?.accountEquity).toBe('100000');
  });

  it('plans a given trading date outside the time window for local runs and replays', async () => {
    const { deps: d } = deps({ now: '2026-11-24T14:00:00Z' });
    const result = await planRun(d, { executionId: 'local', tradingDate: TradingDate('2026-11-23') });
    expect(result.proceed && result.runId).toBe('test-2026-11-23');
  });

  it('writes nothing on a dry run', async () => {
    const { deps: d, runs } = deps();
    const result = await planRun(d, { executionId: 'exec-1', dryRun: true });
    expect(result.proceed && result.items[0]?.dryRun).toBe(true);
    expect(runs.runs.size).toBe(0);
  });

  describe('in date order', () => {
    it('refuses a date before the latest run, recording why, and takes no lock', async () => {
      const { deps: d, runs } = deps();
      const history = new MemoryRunHistory();
      history.latestRun = {
        runId: RunId('test-2026-11-25'),
        tradingDate: TradingDate('2026-11-25'),
        inFlight: [],
      };
      const result = await planRun({ ...d, history }, { executionId: 'exec-1' });
      expect(result).toMatchObject({
        proceed: false,
        reason: expect.stringMatching(
          /^refused: 2026-11-24 is before the stage's latest run, run test-2026-11-25/,
        ),
      });
      expect(runs.runs.size).toBe(0);
      expect(runs.skips).toEqual([expect.stringMatching(/^2026-11-24: refused: /)]);
    });

    it('makes the run the latest, and decides again when another date moved it first', async () => {
      const { deps: d } = deps();
      const history = new MemoryRunHistory();
      expect((await planRun({ ...d, history }, { executionId: 'exec-1' })).proceed).toBe(true);
      expect(history.latestRun?.tradingDate).toBe('2026-11-24');

      const other = deps({ now: '2026-11-25T20:30:00Z' });
      history.movedBy = {
        runId: RunId('test-2026-11-30'),
        tradingDate: TradingDate('2026-11-30'),
        inFlight: [],
      };
      const raced = await planRun({ ...other.deps, history }, { executionId: 'exec-2' });
      expect(raced).toMatchObject({
        proceed: false,
        reason: expect.stringMatching(/^refused: 2026-11-25 is before/),
      });
    });

    it('plans a dry run without moving the latest run', async () => {
      const { deps: d } = deps();
      const history = new MemoryRunHistory();
      expect((await planRun({ ...d, history }, { executionId: 'exec-1', dryRun: true })).proceed).toBe(true);
      expect(history.latestRun).toBeUndefined();
    });
  });
});

describe('top-up grants decided in the run snapshot', () => {
  function withCapital(pool: string, books: Record<string, { equity: string; cash: string }>) {
    const d = deps();
    const opened: string[] = [];
    const capital: CapitalSource = {
      poolOpenedAt: async () => undefined,
      async openPool(ids, at) {
        opened.push(`${ids.join(',')} @ ${at}`);
        return undefined;
      },
      async snapshot(ids) {
        return {
          pool: Money.parse(pool),
          books: new Map(
            ids
              .filter((id) => books[id] !== undefined)
              .map((id) => {
                const b = books[id] as { equity: string; cash: string };
                return [id, { equity: Money.parse(b.equity), cash: Money.parse(b.cash) }] as const;
              }),
          ),
        };
      },
    };
    return { ...d, deps: { ...d.deps, capital }, opened };
  }
  const limits = (result: Awaited<ReturnType<typeof planRun>>) =>
    result.proceed ? Object.fromEntries(result.items.map((i) => [i.strategyId, i.topUpLimit])) : {};

  it('opens the pool before the run and grants each first funding its target when the pool holds it', async () => {
    const { deps: d, opened } = withCapital('100000', {});
    const result = await planRun(d, { executionId: 'exec-1' });
    expect(opened).toEqual(['momentum,mean_reversion,breakout @ 2026-11-24T20:30:00.000Z']);
    expect(limits(result)).toEqual({ momentum: '30000', mean_reversion: '30000' });
  });

  it('shares a scarce pool pro rata by shortfall, whatever order the workers will run in', async () => {
    // Targets 30000 each: momentum is 10000 behind, mean_reversion 30000; the pool holds 8000.
    const { deps: d } = withCapital('8000', {
      momentum: { equity: '20000', cash: '0' },
      mean_reversion: { equity: '0', cash: '0' },
    });
    const result = await planRun(d, { executionId: 'exec-1' });
    expect(limits(result)).toEqual({ momentum: '2000', mean_reversion: '6000' });
  });

  it('grants nothing from an empty pool (the issue: a top-up paid with cash the account does not have)', async () => {
    const { deps: d } = withCapital('0', { momentum: { equity: '20000', cash: '0' } });
    const result = await planRun(d, { executionId: 'exec-1' });
    expect(limits(result)).toEqual({ momentum: '0', mean_reversion: '0' });
  });

  it('writes nothing to the pool on a dry run', async () => {
    const { deps: d, opened } = withCapital('100000', {});
    await planRun(d, { executionId: 'exec-1', dryRun: true });
    expect(opened).toEqual([]);
  });
});

describe("one snapshot per plan: the reconciliation's read", () => {
  const SPY = Symbol('SPY');
  const read: PlanSnapshot = {
    books: new Map([
      [
        StrategyId('momentum'),
        { book: { ...emptyBook(StrategyId('momentum')), cash: Money.parse('500') }, exists: true },
      ],
      [StrategyId('mean_reversion'), { book: emptyBook(StrategyId('mean_reversion')), exists: false }],
    ]),
    pool: Money.parse('70000'),
    positions: [{ symbol: SPY, qty: Quantity.parse('10'), marketValue: Money.parse('1000') }],
    account: { equity: Money.parse('90000'), cash: Money.parse('80000') },
  };

  function withRead(config?: unknown) {
    const d = deps(config ? { config } : {});
    const asked: Array<PlanSnapshot | undefined> = [];
    const seen: Array<string | undefined> = [];
    const plan: PlanRunDeps = {
      ...d.deps,
      reconciliation: { breaks: async () => ({ breaks: [], read }) },
      capital: {
        poolOpenedAt: async () => '2026-11-23T20:30:00.000Z',
        async openPool(_ids, _at, pool) {
          seen.push(pool.openedAt);
          return pool.openedAt === undefined ? undefined : { openedAt: pool.openedAt };
        },
        async snapshot(_ids, known) {
          asked.push(known);
          return { pool: Money.parse('70000'), books: new Map() };
        },
      },
    };
    return { ...d, deps: plan, asked, seen };
  }

  it("records the run's equity and cash as the reconciliation read the account, without reading it again", async () => {
    const { deps: d, runs, snapshots } = withRead();
    const result = await planRun(d, { executionId: 'exec-1' });
    expect(result.proceed).toBe(true);
    expect(snapshots()).toBe(0);
    const run = runs.runs.get('test-2026-11-24');
    expect([run?.equity.toString(), run?.cash.toString()]).toEqual(['90000', '80000']);
  });

  it("values the grants' books from the reconciliation's read", async () => {
    const { deps: d, asked } = withRead();
    await planRun(d, { executionId: 'exec-1' });
    expect(asked).toEqual([read]);
  });

  it('reads the account itself when the reconciliation could not run (and plans from what it reads)', async () => {
    const { deps: d, runs, snapshots, asked } = withRead();
    const failing: PlanRunDeps = {
      ...d,
      reconciliation: {
        breaks: async () => {
          throw new Error('table unavailable');
        },
      },
    };
    await planRun(failing, { executionId: 'exec-1' });
    expect(snapshots()).toBe(1);
    expect(runs.runs.get('test-2026-11-24')?.equity.toString()).toBe('100000');
    expect(asked).toEqual([undefined]);
  });

  it('opens the pool from what the plan read of it with its first reads, not reading it again', async () => {
    const { deps: d, seen } = withRead();
    await planRun(d, { executionId: 'exec-1' });
    expect(seen).toEqual(['2026-11-23T20:30:00.000Z']);
  });
});

describe('broker activities posted before the plan', () => {
  function withActivities() {
    const d = deps();
    const order: string[] = [];
    const deps2: PlanRunDeps = {
      ...d.deps,
      capital: {
        poolOpenedAt: async () => undefined,
        async openPool() {
          order.push('open pool');
          return undefined;
        },
        async snapshot() {
          return { pool: Money.ZERO, books: new Map() };
        },
      },
      activities: {
        async ingest(date, at) {
          order.push(`ingest ${date} @ ${at}`);
          return { posted: [], pending: [] };
        },
      },
      reconciliation: {
        async breaks() {
          order.push('reconcile');
          return { breaks: [] };
        },
      },
    };
    return { deps: deps2, order };
  }

  it('posts them after the pool opens and before the fail-closed reconciliation', async () => {
    const { deps: d, order } = withActivities();
    await planRun(d, { executionId: 'exec-1' });
    expect(order).toEqual(['open pool', 'ingest 2026-11-24 @ 2026-11-24T20:30:00.000Z', 'reconcile']);
  });

  it('reads the activities ahead, with the pool, when it is open, and posts them from those reads in its turn', async () => {
    const { deps: d, order } = withActivities();
    const history = new MemoryRunHistory();
    const advance = history.advance.bind(history);
    const plan: PlanRunDeps = {
      ...d,
      history: Object.assign(history, {
        // The run order's write takes a while: the reads started with the plan's first reads land first.
        advance: async (...args: Parameters<RunHistory['advance']>) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          order.push('advanced');
          return advance(...args);
        },
      }),
      capital: { ...(d.capital as CapitalSource), poolOpenedAt: async () => '2026-11-23T20:30:00.000Z' },
      activities: {
        async ingest() {
          throw new Error('not read ahead');
        },
        async readAhead(date, openedAt) {
          order.push(`read ${date} since ${openedAt}`);
          return async (at) => {
            order.push(`ingest @ ${at}`);
            return { posted: [], pending: [] };
          };
        },
      },
    };
    await planRun(plan, { executionId: 'exec-1' });
    expect(order).toEqual([
      'read 2026-11-24 since 2026-11-23T20:30:00.000Z',
      'advanced',
      'open pool',
      'ingest @ 2026-11-24T20:30:00.000Z',
      'reconcile',
    ]);
  });

  it('reads them in the ingestion when the pool is not open yet (the stage first run)', async () => {
    const { deps: d, order } = withActivities();
    const readAhead = jest.fn();
    await planRun(
      { ...d, activities: { ...(d.activities as ActivityIngestion), readAhead } },
      {
        executionId: 'exec-1',
      },
    );
    expect(readAhead).not.toHaveBeenCalled();
    expect(order).toEqual(['open pool', 'ingest 2026-11-24 @ 2026-11-24T20:30:00.000Z', 'reconcile']);
  });

  it('posts nothing on a dry run', async () => {
    const { deps: d, order } = withActivities();
    await planRun(d, { executionId: 'exec-1', dryRun: true });
    expect(order.filter((o) => o.startsWith('ingest'))).toEqual([]);
  });
});
