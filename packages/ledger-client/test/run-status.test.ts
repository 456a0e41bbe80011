import { ClientOrderId, RunId, StrategyId } from '@books/core';
import { createTestTable, type TestTable } from '@books/testkit';
import {
  assertRunTransition,
  assertStrategyRunTransition,
  InvalidStatusTransitionError,
  LedgerTable,
  RUN_STATUSES,
  RunRepository,
  type RunStatus,
  STRATEGY_RUN_STATUSES,
  type StrategyRunStatus,
} from '../src';
import { aRunMeta, aRunStrategy } from './support/builders';

function pairs<S extends string>(statuses: readonly S[]): [S, S][] {
  return statuses.flatMap((from) => statuses.map((to): [S, S] => [from, to]));
}

const runAllowed: ReadonlyArray<[RunStatus, RunStatus]> = [['PLANNED', 'DISPATCHED']];
const strategyAllowed: ReadonlyArray<[StrategyRunStatus, StrategyRunStatus]> = [
  ['PENDING', 'PLANNED'],
  ['PENDING', 'NOTHING_TO_DO'],
  ['PENDING', 'SIGNALLED'],
  ['PENDING', 'FAILED'],
];
const isIn = <S>(list: ReadonlyArray<[S, S]>, [f, t]: [S, S]) => list.some(([a, b]) => a === f && b === t);

describe('run status transitions', () => {
  it.each(runAllowed)('allows a run %s -> %s', (from, to) => {
    expect(() => assertRunTransition(from, to)).not.toThrow();
  });

  it.each(pairs(RUN_STATUSES).filter((p) => !isIn(runAllowed, p)))('refuses a run %s -> %s', (from, to) => {
    expect(() => assertRunTransition(from, to)).toThrow(InvalidStatusTransitionError);
  });
});

describe('strategy-of-a-run status transitions', () => {
  it.each(strategyAllowed)('allows a strategy %s -> %s', (from, to) => {
    expect(() => assertStrategyRunTransition(from, to)).not.toThrow();
  });

  it.each(pairs(STRATEGY_RUN_STATUSES).filter((p) => !isIn(strategyAllowed, p)))(
    'refuses a strategy %s -> %s',
    (from, to) => {
      expect(() => assertStrategyRunTransition(from, to)).toThrow(
        `a run strategy cannot go from ${from} to ${to}`,
      );
    },
  );
});

describe('RunRepository enforces the lifecycles on DynamoDB Local', () => {
  let test: TestTable;
  let runs: RunRepository;
  beforeAll(async () => {
    test = await createTestTable('run-status');
    runs = new RunRepository(new LedgerTable(test.client, test.tableName));
  });
  afterAll(() => test.cleanup());

  it('refuses to create a run other than PLANNED or a strategy other than PENDING or SKIPPED', async () => {
    const runId = RunId('created-late');
    await expect(runs.createRun(aRunMeta({ runId, status: 'DISPATCHED' }), [])).rejects.toBeInstanceOf(
      InvalidStatusTransitionError,
    );
    await expect(
      runs.createRun(aRunMeta({ runId }), [aRunStrategy({ runId, status: 'PLANNED' })]),
    ).rejects.toBeInstanceOf(InvalidStatusTransitionError);
    expect(await runs.getMeta(runId)).toBeUndefined();
  });

  it('refuses a transition off the table and leaves the item as it was', async () => {
    const runId = RunId('off-table');
    const sid = StrategyId('done');
    await runs.createRun(aRunMeta({ runId }), [aRunStrategy({ runId, strategyId: sid })]);
    await runs.transitionStrategy(runId, sid, {
      from: 'PENDING',
      to: 'NOTHING_TO_DO',
      at: '2026-11-24T20:31:00Z',
    });
    await expect(
      runs.transitionStrategy(runId, sid, {
        from: 'NOTHING_TO_DO',
        to: 'PLANNED',
        at: '2026-11-24T20:32:00Z',
        patch: { heldBuys: [ClientOrderId('sb-late')] },
      }),
    ).rejects.toBeInstanceOf(InvalidStatusTransitionError);
    await expect(
      runs.transitionRun(runId, { from: 'DISPATCHED', to: 'PLANNED', at: '2026-11-24T20:33:00Z' }),
    ).rejects.toBeInstanceOf(InvalidStatusTransitionError);
    const items = await runs.listRunItems(runId);
    expect(items?.meta.status).toBe('PLANNED');
    expect(items?.strategies[0]).toMatchObject({ status: 'NOTHING_TO_DO', heldBuys: [] });
  });
});
