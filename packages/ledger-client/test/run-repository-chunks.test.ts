import { RunId, StrategyId } from '@books/core';
import { createTestTable, type TestTable } from '@books/testkit';
import {
  LedgerTable,
  RunAlreadyExistsError,
  RunRepository,
  type RunStrategy,
  type TransactItem,
} from '../src';
import { aRunMeta, aRunStrategy } from './support/builders';

/** A table whose process "crashes" (throws) on the n-th transaction it is asked to write. */
class CrashingTable extends LedgerTable {
  calls = 0;
  crashOnCall = Number.POSITIVE_INFINITY;
  override async transact(items: readonly TransactItem[], options: { clientRequestToken?: string } = {}) {
    this.calls++;
    if (this.calls === this.crashOnCall) throw new Error('the process died between chunks');
    return super.transact(items, options);
  }
}

function strategiesOf(runId: RunId, count: number): RunStrategy[] {
  return Array.from({ length: count }, (_, i) =>
    aRunStrategy({ runId, strategyId: StrategyId(`s${String(i).padStart(3, '0')}`) }),
  );
}

describe('creating a run with more strategies than one transaction holds', () => {
  let test: TestTable;
  let table: CrashingTable;
  let runs: RunRepository;
  beforeAll(async () => {
    test = await createTestTable('runchunks');
    table = new CrashingTable(test.client, test.tableName);
    runs = new RunRepository(table);
  });
  afterAll(() => test.cleanup());
  beforeEach(() => {
    table.calls = 0;
    table.crashOnCall = Number.POSITIVE_INFINITY;
  });

  it('records 250 strategies (the lock with the first 99, then chunks of 100)', async () => {
    const runId = RunId('chunked-250');
    await runs.createRun(aRunMeta({ runId }), strategiesOf(runId, 250));
    const items = await runs.listRunItems(runId);
    expect(items?.strategies).toHaveLength(250);
    expect(new Set(items?.strategies.map((s) => s.strategyId)).size).toBe(250);
    expect(table.calls).toBe(3);
  });

  it('still records exactly 99 and 100 strategies', async () => {
    for (const count of [99, 100]) {
      const runId = RunId(`chunked-${count}`);
      await runs.createRun(aRunMeta({ runId }), strategiesOf(runId, count));
      expect((await runs.listRunItems(runId))?.strategies).toHaveLength(count);
    }
  });

  it('after a crash between chunks, a retry of the same creation completes the missing strategies only', async () => {
    const runId = RunId('crashed-between-chunks');
    const meta = aRunMeta({ runId, trigger: 'execution-1' });
    const strategies = strategiesOf(runId, 230);
    table.crashOnCall = 2;
    await expect(runs.createRun(meta, strategies)).rejects.toThrow('the process died between chunks');
    expect((await runs.listRunItems(runId))?.strategies).toHaveLength(99);

    // A worker already moved one of the written strategies on: the retry must leave it as it is.
    const moved = strategies[5]?.strategyId ?? StrategyId('none');
    await runs.transitionStrategy(runId, moved, { from: 'PENDING', to: 'PLANNED', at: meta.createdAt });

    table.crashOnCall = Number.POSITIVE_INFINITY;
    await expect(runs.createRun(meta, strategies)).rejects.toBeInstanceOf(RunAlreadyExistsError);
    expect(await runs.addMissingStrategies(runId, strategies)).toBe(131);
    const items = await runs.listRunItems(runId);
    expect(items?.strategies).toHaveLength(230);
    expect(items?.strategies.find((s) => s.strategyId === moved)?.status).toBe('PLANNED');
    expect(items?.strategies.filter((s) => s.status === 'PENDING')).toHaveLength(229);

    // Completing again writes nothing.
    expect(await runs.addMissingStrategies(runId, strategies)).toBe(0);
  });

  it('admits exactly one of two concurrent creators of a 150-strategy run, and writes nothing of the loser', async () => {
    const runId = RunId('chunked-race');
    const first = strategiesOf(runId, 150);
    const second = first.map((s) => ({ ...s, status: 'SKIPPED' as const }));
    const results = await Promise.allSettled([
      runs.createRun(aRunMeta({ runId, trigger: 'first' }), first),
      runs.createRun(aRunMeta({ runId, trigger: 'second' }), second),
    ]);
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(lost).toHaveLength(1);
    expect(lost[0]).toBeInstanceOf(RunAlreadyExistsError);
    const items = await runs.listRunItems(runId);
    expect(items?.strategies).toHaveLength(150);
    const statuses = new Set(items?.strategies.map((s) => s.status));
    expect([...statuses]).toEqual([items?.meta.trigger === 'first' ? 'PENDING' : 'SKIPPED']);
  });
});
