import { RunId, StrategyId } from '@books/core';
import {
  encodePlanItem,
  encodeRunStrategy,
  LedgerTable,
  type StoredPlan,
  StoredPlanSchema,
} from '@books/ledger-client';
import { createTestTable, type TestTable } from '@books/testkit';
import { LedgerPlannedTrades } from '../src/adapters/ledger-planned-trades';
import { LedgerRunProgress } from '../src/adapters/ledger-run-progress';

const SID = StrategyId('weekly');

function aPlan(runId: RunId, sells: boolean): StoredPlan {
  const trade = (side: 'buy' | 'sell', symbol: string) => ({
    symbol,
    side,
    qty: '1',
    price: '500',
    estimatedValue: '500',
    currentValue: side === 'sell' ? '500' : '0',
    targetValue: side === 'sell' ? '0' : '500',
    reason: side === 'sell' ? 'exit' : 'enter',
    leg: 0,
    clientOrderId: `${runId}-weekly-${symbol}-${side}-0`,
  });
  return StoredPlanSchema.parse({
    runId,
    strategyId: SID,
    file: 'weekly.clj',
    allocation: '0.5',
    asOf: '2025-03-03',
    plannedAt: '2025-03-03T20:30:00.000Z',
    weights: { SPY: '1' },
    minTradeNotional: '1',
    equity: '1000',
    capital: {
      action: 'hold',
      equity: '1000',
      targetEquity: '1000',
      share: null,
      transfer: null,
      capital: '1000',
      explanation: 'hold',
    },
    sells: sells ? [trade('sell', 'TLT')] : [],
    buys: [trade('buy', 'SPY')],
    suppressed: [],
    estimatedCashAfter: '500',
  });
}

describe('what the BUY release reads of a run, on DynamoDB Local', () => {
  let test: TestTable;
  let table: LedgerTable;
  beforeAll(async () => {
    test = await createTestTable('run-progress');
    table = new LedgerTable(test.client, test.tableName);
  });
  afterAll(() => test.cleanup());

  async function planned(runId: RunId, sells: boolean) {
    const plan = aPlan(runId, sells);
    await table.put(encodePlanItem(plan));
    await table.put(
      encodeRunStrategy({
        runId,
        strategyId: SID,
        flow: 'per-strategy',
        status: 'PLANNED',
        pendingSells: plan.sells.length,
        heldBuys: sells ? plan.buys.map((b) => b.clientOrderId) : [],
        updatedAt: '2025-03-03T20:30:00.000Z',
      }),
    );
    return plan;
  }

  it('answers a plan without SELLs from the plan alone: nothing pending, nothing held, its BUYs released', async () => {
    const runId = RunId('progress-no-sells');
    await planned(runId, false);
    const state = await new LedgerRunProgress(table).readStrategy(runId, SID);
    expect(state).toMatchObject({ pendingSells: 0, heldBuys: false, buysReleased: true, file: 'weekly.clj' });
    expect(state?.release).toBeUndefined();
    expect(state?.capital.toString()).toBe('1000');
  });

  it("reads a plan with SELLs' pending count and its release as stored", async () => {
    const runId = RunId('progress-sells');
    await planned(runId, true);
    const progress = new LedgerRunProgress(table);
    expect(await progress.readStrategy(runId, SID)).toMatchObject({
      pendingSells: 1,
      heldBuys: true,
      buysReleased: false,
    });
    await progress.recordRelease(runId, SID, [], [], '2025-03-03T20:31:00.000Z');
    await progress.markReleaseSent(runId, SID, '2025-03-03T20:31:01.000Z');
    const after = await progress.readStrategy(runId, SID);
    expect(after).toMatchObject({ heldBuys: true, buysReleased: true });
    expect(after?.release?.sent).toBe(true);
  });

  it('finds nothing for a strategy that planned nothing in the run', async () => {
    expect(await new LedgerRunProgress(table).readStrategy(RunId('progress-none'), SID)).toBeUndefined();
  });

  it('reads a plan once for a batch’s trades of it, and a plan not found again', async () => {
    const runId = RunId('progress-batch');
    const reads: string[] = [];
    const counting = new (class extends LedgerTable {
      override getItem(...args: Parameters<LedgerTable['getItem']>) {
        reads.push(args[0].SK);
        return super.getItem(...args);
      }
    })(test.client, test.tableName);
    const batch = new LedgerPlannedTrades(counting).forBatch();
    const [buy] = aPlan(runId, false).buys;
    if (!buy) throw new Error('the plan has a BUY');
    expect(await batch.find(runId, SID, buy.clientOrderId)).toBeUndefined();
    await planned(runId, false);
    expect(await batch.find(runId, SID, buy.clientOrderId)).toMatchObject({ source: 'plan' });
    expect(await batch.find(runId, SID, buy.clientOrderId)).toMatchObject({ source: 'plan' });
    expect(reads).toEqual([`PLAN#${SID}`, `PLAN#${SID}`]);
  });

  it('reads the stored plan at every call: a plan written after a miss is found, and the same text decodes alike', async () => {
    const runId = RunId('progress-later');
    const trades = new LedgerPlannedTrades(table);
    const coid = aPlan(runId, false).buys[0]?.clientOrderId;
    if (!coid) throw new Error('the plan has a BUY');
    expect(await trades.find(runId, SID, coid)).toBeUndefined();
    await planned(runId, false);
    const first = await trades.find(runId, SID, coid);
    expect(first).toMatchObject({ clientOrderId: coid, source: 'plan' });
    expect(await trades.find(runId, SID, coid)).toEqual(first);
  });
});
