import { Money, RunId, StrategyId, TradingDate } from '@books/core';
import { LedgerTable, RunRepository, type TransactItem } from '@books/ledger-client';
import { createTestTable, type TestTable } from '@books/testkit';
import { LedgerRunStore } from '../src/adapters/ledger-run-store';
import type { RunRecord } from '../src/ports';

/** A table whose process "crashes" (throws) on the n-th transaction. */
class CrashingTable extends LedgerTable {
  calls = 0;
  crashOnCall = Number.POSITIVE_INFINITY;
  override async transact(items: readonly TransactItem[], options: { clientRequestToken?: string } = {}) {
    this.calls++;
    if (this.calls === this.crashOnCall) throw new Error('the coordinator died between chunks');
    return super.transact(items, options);
  }
}

function aRecord(runId: string, executionId: string, strategies: number): RunRecord {
  return {
    runId: RunId(runId),
    stage: 'test',
    tradingDate: TradingDate('2026-11-24'),
    executionId,
    plannedAt: '2026-11-24T20:30:00.000Z',
    equity: Money.parse('100000'),
    cash: Money.parse('100000'),
    strategies: Array.from({ length: strategies }, (_, i) => ({
      strategyId: StrategyId(`s${String(i).padStart(3, '0')}`),
      file: `s${i}.clj`,
      allocation: '0.004',
      flow: 'per-strategy',
      status: 'PENDING' as const,
    })),
    warnings: [],
  };
}

describe('the ledger run store with runs larger than one transaction', () => {
  let test: TestTable;
  let table: CrashingTable;
  let runs: RunRepository;
  let store: LedgerRunStore;
  beforeAll(async () => {
    test = await createTestTable('runstore');
    table = new CrashingTable(test.client, test.tableName);
    runs = new RunRepository(table);
    store = new LedgerRunStore(table, runs);
  });
  afterAll(() => test.cleanup());

  it('creates a run of 200 strategies with every strategy PENDING', async () => {
    const record = aRecord('store-200', 'exec-1', 200);
    expect((await store.createRun(record)).result).toBe('created');
    const items = await runs.listRunItems(record.runId);
    expect(items?.strategies).toHaveLength(200);
    expect(items?.strategies.every((s) => s.status === 'PENDING')).toBe(true);
  });

  it("records the session's close on the run's META, where execution reads it", async () => {
    const record = { ...aRecord('store-close', 'exec-1', 2), sessionCloseAt: '2026-11-24T21:00:00.000Z' };
    expect((await store.createRun(record)).result).toBe('created');
    expect((await runs.getMeta(record.runId))?.sessionCloseAt).toBe('2026-11-24T21:00:00.000Z');
  });

  it('a retried execution completes a run cut short between chunks; another execution completes nothing', async () => {
    const record = aRecord('store-crash', 'exec-1', 180);
    table.calls = 0;
    table.crashOnCall = 2;
    await expect(store.createRun(record)).rejects.toThrow('the coordinator died between chunks');
    table.crashOnCall = Number.POSITIVE_INFINITY;

    const other = await store.createRun(aRecord('store-crash', 'exec-2', 180));
    expect(other.result).toBe('exists');
    expect(other.record.executionId).toBe('exec-1');
    expect((await runs.listRunItems(record.runId))?.strategies).toHaveLength(99);

    const retried = await store.createRun(record);
    expect(retried).toEqual({ result: 'exists', record });
    expect((await runs.listRunItems(record.runId))?.strategies).toHaveLength(180);
  });

  it('finishes a dry run, which recorded no run, as nothing to finish', async () => {
    await expect(
      store.finishRun(RunId('store-dry-run'), [], '2026-11-24T20:31:00.000Z'),
    ).resolves.toBeUndefined();
    expect(await runs.getMeta(RunId('store-dry-run'))).toBeUndefined();
  });
});
