import {
  failureReasonOf,
  MapOutcomeSchema,
  PlanResultSchema,
  type WorkerItem,
  WorkerItemSchema,
  WorkerResultSchema,
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
});
