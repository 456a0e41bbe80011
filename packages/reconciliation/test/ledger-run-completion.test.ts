import { ClientOrderId, Quantity, RunId, StrategyId, Symbol, TradingDate } from '@books/core';
import {
  encodeIntent,
  encodePlanItem,
  encodeReconcileRequested,
  encodeRunMeta,
  encodeRunStrategy,
  LedgerTable,
  StoredPlanSchema,
} from '@books/ledger-client';
import { createTestTable, type TestTable } from '@books/testkit';
import { LedgerRunCompletionStore } from '../src/adapters/ledger-run-completion';
import { runCompletion } from '../src/run-completion';

const SID = StrategyId('weekly');
const AT = '2025-03-03T20:30:00.000Z';

describe("a run's completion as the ledger holds it, on DynamoDB Local", () => {
  let test: TestTable;
  let table: LedgerTable;
  beforeAll(async () => {
    test = await createTestTable('run-completion');
    table = new LedgerTable(test.client, test.tableName);
  });
  afterAll(() => test.cleanup());

  /** A DISPATCHED run whose one strategy planned one BUY, its intent in `state`. */
  async function aRun(name: string, state: string, status: 'PLANNED' | 'DISPATCHED' = 'DISPATCHED') {
    const runId = RunId(name);
    const coid = ClientOrderId(`${name}-weekly-SPY-buy-0`);
    await table.put(
      encodeRunMeta({
        runId,
        tradingDate: TradingDate('2025-03-03'),
        trigger: 'schedule-1530',
        status,
        createdAt: AT,
        updatedAt: AT,
      }),
    );
    await table.put(
      encodeRunStrategy({
        runId,
        strategyId: SID,
        flow: 'per-strategy',
        status: 'PLANNED',
        pendingSells: 0,
        heldBuys: [],
        updatedAt: AT,
      }),
    );
    await table.put(
      encodePlanItem(
        StoredPlanSchema.parse({
          runId,
          strategyId: SID,
          file: 'weekly.clj',
          allocation: '0.5',
          asOf: '2025-03-03',
          plannedAt: AT,
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
          sells: [],
          buys: [
            {
              symbol: 'SPY',
              side: 'buy',
              qty: '1',
              price: '500',
              estimatedValue: '500',
              currentValue: '0',
              targetValue: '500',
              reason: 'enter',
              leg: 0,
              clientOrderId: coid,
            },
          ],
          suppressed: [],
          estimatedCashAfter: '500',
        }),
      ),
    );
    await table.put(
      encodeIntent({
        runId,
        clientOrderId: coid,
        strategyId: SID,
        symbol: Symbol('SPY'),
        side: 'buy',
        leg: 0,
        qty: Quantity.parse('1'),
        state,
        createdAt: AT,
        updatedAt: AT,
      }),
    );
    return { runId, coid };
  }

  it('answers a run with an open intent from its state alone: not complete, waiting for that order', async () => {
    const { runId, coid } = await aRun('completion-open', 'SUBMITTED');
    const snapshot = await new LedgerRunCompletionStore(table).snapshot(runId);
    expect(snapshot).toMatchObject({ status: 'DISPATCHED', reconcileRequested: false, strategies: [] });
    expect(snapshot?.intents).toEqual([{ clientOrderId: coid, state: 'SUBMITTED' }]);
    expect(snapshot && runCompletion(snapshot).complete).toBe(false);
  });

  it('reads a run whose intents are all final whole: its strategies and plans decide that it is complete', async () => {
    const { runId, coid } = await aRun('completion-final', 'FILLED');
    const snapshot = await new LedgerRunCompletionStore(table).snapshot(runId);
    expect(snapshot?.strategies.map((s) => s.strategyId)).toEqual([SID]);
    expect(snapshot?.plans.get(SID)).toEqual({ sells: [], buys: [coid] });
    expect(snapshot && runCompletion(snapshot)).toEqual({ complete: true });
  });

  it('answers a run already requested, or not yet dispatched, without its plans', async () => {
    const store = new LedgerRunCompletionStore(table);
    const { runId } = await aRun('completion-requested', 'FILLED');
    await table.put(encodeReconcileRequested(runId, AT));
    expect(await store.snapshot(runId)).toMatchObject({ reconcileRequested: true, strategies: [] });
    const planning = await aRun('completion-planning', 'FILLED', 'PLANNED');
    expect(await store.snapshot(planning.runId)).toMatchObject({ status: 'PLANNED', strategies: [] });
  });

  it('finds no run that was never recorded', async () => {
    expect(await new LedgerRunCompletionStore(table).snapshot(RunId('completion-none'))).toBeUndefined();
  });
});
