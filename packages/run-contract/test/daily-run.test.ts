import {
  failureReasonOf,
  MapOutcomeSchema,
  MapWorkerEventSchema,
  mapOutcomeOf,
  PlanResultSchema,
  PlanStateSchema,
  planStateOf,
  type WorkerItem,
  WorkerItemSchema,
  WorkerResultSchema,
  workerItemOf,
} from '../src/daily-run';

const item: WorkerItem = {
  runId: 'local-2024-03-15',
  strategyId: 'momentum',
  file: 'momentum.clj',
  allocation: '0.30',
  asOf: '2024-03-15',
  accountEquity: '100000',
  plannedAt: '2024-03-15T19:30:00.000Z',
  capitalPolicy: { mode: 'drift', threshold: '0.10' },
  minTradeNotional: '1',
};

describe('the DailyRun contract', () => {
  it('reads a Map item into value types, with the per-strategy flow and no dry run by default', () => {
    const parsed = WorkerItemSchema.parse(item);
    expect(parsed.allocation.toString()).toBe('0.3');
    expect(parsed.accountEquity.toString()).toBe('100000');
    expect(parsed.flow).toBe('per-strategy');
    expect(parsed.dryRun).toBe(false);
  });

  it('refuses a Map item whose decimal is not one, naming the field', () => {
    const bad = WorkerItemSchema.safeParse({ ...item, accountEquity: '1e5' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['accountEquity']);
  });

  it('reads what the WorkerFailed state records as a failed outcome with the caught error as its reason', () => {
    const failed = MapOutcomeSchema.parse({
      strategyId: 'momentum',
      outcome: 'FAILED',
      error: { Error: 'Lambda.Unknown', Cause: 'timed out' },
    });
    expect(failureReasonOf(failed)).toBe('Lambda.Unknown: timed out');
    expect(
      failureReasonOf(MapOutcomeSchema.parse({ strategyId: 'momentum', outcome: 'PLANNED' })),
    ).toBeUndefined();
  });

  it('reads a legacy worker’s signal weights as decimals and refuses an unknown outcome', () => {
    const signalled = WorkerResultSchema.parse({
      strategyId: 'momentum',
      outcome: 'SIGNALLED',
      signal: { flow: 'legacy', allocation: '0.3', weights: { SPY: '0.5' }, contributions: { SPY: '0.15' } },
    });
    expect(signalled.signal?.weights.SPY?.toString()).toBe('0.5');
    expect(WorkerResultSchema.safeParse({ strategyId: 'momentum', outcome: 'DONE' }).success).toBe(false);
  });

  it('chooses the Map or Skipped by proceed, as the ShouldDispatch state does', () => {
    expect(PlanResultSchema.parse({ proceed: false, reason: 'skipped: market closed' }).proceed).toBe(false);
    expect(PlanResultSchema.safeParse({ proceed: true, reason: 'no items' }).success).toBe(false);
  });

  it('carries the run-wide fields of the Map items once in the plan’s state, each item only its own', () => {
    const items = [item, { ...item, strategyId: 'breakout', file: 'breakout.clj', allocation: '0.7' }];
    const state = planStateOf({ proceed: true, runId: 'local-2024-03-15', warnings: [], items });
    const parsed = PlanStateSchema.parse(state);
    if (!parsed.proceed) throw new Error('a dispatched plan');
    expect(state).toMatchObject({
      run: { runId: 'local-2024-03-15', accountEquity: '100000', capitalPolicy: { mode: 'drift' } },
      items: [
        { strategyId: 'momentum', file: 'momentum.clj', allocation: '0.30' },
        { strategyId: 'breakout', file: 'breakout.clj', allocation: '0.7' },
      ],
    });
    for (const own of parsed.items)
      expect(Object.keys(own).sort()).toEqual(['allocation', 'file', 'flow', 'strategyId']);
    // What the Map's ItemSelector hands each worker is its whole WorkerItem again.
    if (!state.proceed) throw new Error('a dispatched plan');
    const event = MapWorkerEventSchema.parse({ run: state.run, item: state.items[1] });
    expect(workerItemOf(event)).toEqual(WorkerItemSchema.parse(items[1]));
  });

  it('refuses to split Map items that differ in a run-wide field', () => {
    const items = [item, { ...item, strategyId: 'breakout', accountEquity: '99999' }];
    expect(() => planStateOf({ proceed: true, runId: 'local-2024-03-15', warnings: [], items })).toThrow(
      'differ in their run-wide fields',
    );
  });

  it('leaves a refused plan as it is, and a plan with no items without run-wide fields', () => {
    expect(planStateOf({ proceed: false, reason: 'skipped: market closed' })).toEqual({
      proceed: false,
      reason: 'skipped: market closed',
    });
    expect(planStateOf({ proceed: true, runId: 'local-2024-03-15', warnings: [], items: [] })).toEqual({
      proceed: true,
      runId: 'local-2024-03-15',
      warnings: [],
      items: [],
    });
  });

  it('keeps of a worker’s result what Finish and Legacy read: the outcome, its reason, a signal', () => {
    const signal = {
      flow: 'legacy' as const,
      allocation: '0.3',
      weights: { SPY: '1' },
      contributions: { SPY: '0.3' },
    };
    expect(
      mapOutcomeOf({
        strategyId: 'momentum',
        outcome: 'PLANNED',
        targets: { SPY: '1' },
        capital: 'drift 0.1',
        sells: [],
        buys: ['BUY 10 SPY (~$5000.00)'],
        suppressed: [],
      }),
    ).toEqual({ strategyId: 'momentum', outcome: 'PLANNED' });
    expect(mapOutcomeOf({ strategyId: 'momentum', outcome: 'FAILED', reason: 'no bars' })).toEqual({
      strategyId: 'momentum',
      outcome: 'FAILED',
      reason: 'no bars',
    });
    expect(mapOutcomeOf({ strategyId: 'momentum', outcome: 'SIGNALLED', signal })).toEqual({
      strategyId: 'momentum',
      outcome: 'SIGNALLED',
      signal,
    });
  });
});
