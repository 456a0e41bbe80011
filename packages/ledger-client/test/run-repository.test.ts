import { ClientOrderId, RunId, StrategyId } from '@books/core';
import { createTestTable, type TestTable } from '@books/testkit';
import {
  encodeIntent,
  LedgerTable,
  RunAlreadyExistsError,
  RunRepository,
  StatusConflictError,
  TransactionConditionError,
} from '../src';
import { anIntent, aRunMeta, aRunStrategy } from './support/builders';

describe('RunRepository on DynamoDB Local', () => {
  let test: TestTable;
  let table: LedgerTable;
  let runs: RunRepository;
  beforeAll(async () => {
    test = await createTestTable('runs');
    table = new LedgerTable(test.client, test.tableName);
    runs = new RunRepository(table);
  });
  afterAll(() => test.cleanup());

  it.each(Array.from({ length: 10 }, (_, i) => i))(
    'admits exactly one of two concurrent creators of a run (race %i)',
    async (i) => {
      const runId = RunId(`race-${i}`);
      const a = aRunStrategy({ runId, strategyId: StrategyId('a') });
      const b = aRunStrategy({ runId, strategyId: StrategyId('b') });
      const results = await Promise.allSettled([
        runs.createRun(aRunMeta({ runId, trigger: 'first' }), [a]),
        runs.createRun(aRunMeta({ runId, trigger: 'second' }), [b]),
      ]);
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      expect(lost).toHaveLength(1);
      expect(lost[0]).toBeInstanceOf(RunAlreadyExistsError);
      const items = await runs.listRunItems(runId);
      // Nothing of the loser was written.
      expect(items?.strategies).toHaveLength(1);
      expect(items?.meta.trigger).toBe(items?.strategies[0]?.strategyId === 'a' ? 'first' : 'second');
    },
  );

  it('lists a run’s META, strategies and intents', async () => {
    const runId = RunId('listed');
    await runs.createRun(aRunMeta({ runId }), [aRunStrategy({ runId })]);
    await table.put(encodeIntent(anIntent({ runId })));
    const items = await runs.listRunItems(runId);
    expect(items?.meta.status).toBe('PLANNED');
    expect(items?.strategies.map((s) => s.strategyId)).toEqual(['momentum']);
    expect(items?.intents.map((i) => i.clientOrderId)).toEqual([anIntent().clientOrderId]);
    expect(await runs.listRunItems(RunId('no-such-run'))).toBeUndefined();
  });

  it('moves a run’s status only from the expected one', async () => {
    const runId = RunId('statuses');
    await runs.createRun(aRunMeta({ runId }), []);
    const dispatched = await runs.transitionRun(runId, {
      from: 'PLANNED',
      to: 'DISPATCHED',
      at: '2026-11-24T20:31:00Z',
    });
    expect(dispatched.status).toBe('DISPATCHED');
    const again = runs.transitionRun(runId, {
      from: 'PLANNED',
      to: 'DISPATCHED',
      at: '2026-11-24T20:32:00Z',
    });
    await expect(again).rejects.toBeInstanceOf(StatusConflictError);
    await expect(again).rejects.toMatchObject({ expected: 'PLANNED', actual: 'DISPATCHED' });
  });

  it('moves a strategy with its patch and counts SELLs down, never below zero', async () => {
    const runId = RunId('sells');
    const sid = StrategyId('seller');
    await runs.createRun(aRunMeta({ runId }), [aRunStrategy({ runId, strategyId: sid })]);
    const held = [ClientOrderId('sb-buy-1')];
    const planned = await runs.transitionStrategy(runId, sid, {
      from: 'PENDING',
      to: 'PLANNED',
      at: '2026-11-24T20:31:00Z',
      patch: { pendingSells: 1, heldBuys: held },
    });
    expect(planned).toMatchObject({ status: 'PLANNED', pendingSells: 1, heldBuys: held });
    await table.transact([runs.sellDoneItem(runId, sid, '2026-11-24T20:32:00Z')]);
    expect((await runs.listRunItems(runId))?.strategies[0]?.pendingSells).toBe(0);
    await expect(
      table.transact([runs.sellDoneItem(runId, sid, '2026-11-24T20:33:00Z')]),
    ).rejects.toBeInstanceOf(TransactionConditionError);
  });
});
