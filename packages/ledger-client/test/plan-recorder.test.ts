import { RunId, StrategyId, TradingDate, Weight } from '@books/core';
import { createTestTable, type TestTable } from '@books/testkit';
import {
  BookRepository,
  decodeLastRebalance,
  encodeLastRebalance,
  LedgerPlanRecorder,
  LedgerTable,
  RunRepository,
  readLastRebalance,
  type StoredPlan,
  StoredPlanSchema,
} from '../src';
import { aRunMeta, aRunStrategy } from './support/builders';

const SID = StrategyId('weekly');
const clock = { now: () => new Date('2025-03-03T20:30:00.000Z') };

function aPlan(runId: RunId, asOf: string, trades: boolean): StoredPlan {
  const trade = {
    symbol: 'SPY',
    side: 'buy',
    qty: '1',
    price: '500',
    estimatedValue: '500',
    currentValue: '0',
    targetValue: '500',
    reason: 'enter',
    leg: 0,
    clientOrderId: `${runId}-weekly-SPY-buy-0`,
  };
  return StoredPlanSchema.parse({
    runId,
    strategyId: SID,
    file: 'weekly.clj',
    allocation: '0.5',
    asOf,
    plannedAt: `${asOf}T20:30:00.000Z`,
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
    buys: trades ? [trade] : [],
    suppressed: [],
    estimatedCashAfter: trades ? '500' : '1000',
  });
}

describe('LedgerPlanRecorder on DynamoDB Local: the rebalance schedule', () => {
  let test: TestTable;
  let table: LedgerTable;
  let runs: RunRepository;
  let recorder: LedgerPlanRecorder;
  beforeAll(async () => {
    test = await createTestTable('plan-recorder');
    table = new LedgerTable(test.client, test.tableName);
    runs = new RunRepository(table);
    recorder = new LedgerPlanRecorder(table, new BookRepository(table), runs, clock);
  });
  afterAll(() => test.cleanup());

  async function open(runId: RunId, date: string) {
    await runs.createRun(aRunMeta({ runId, tradingDate: TradingDate(date) }), [
      aRunStrategy({ runId, strategyId: SID, status: 'PENDING' }),
    ]);
  }

  it('moves the last rebalance with a rebalanced plan only, and records a not-due reason on its run item', async () => {
    expect(await readLastRebalance(table, SID)).toBeUndefined();
    const monday = RunId('t-2025-03-03');
    await open(monday, '2025-03-03');
    await recorder.record(aPlan(monday, '2025-03-03', true), 'PLANNED', null, undefined, {
      rebalanced: true,
      allocation: Weight.parse('0.5'),
    });
    const last = await readLastRebalance(table, SID);
    expect(last).toMatchObject({ runId: monday, tradingDate: '2025-03-03' });
    // The book's allocation that day: another one later makes the book due.
    expect(last?.allocation?.toString()).toBe('0.5');

    const tuesday = RunId('t-2025-03-04');
    await open(tuesday, '2025-03-04');
    const reason = 'rebalances weekly: already rebalanced in 2025-W10 on 2025-03-03';
    await recorder.record(aPlan(tuesday, '2025-03-04', false), 'NOTHING_TO_DO', null, undefined, {
      notDue: reason,
      rebalanced: false,
    });
    expect(await readLastRebalance(table, SID)).toEqual(last);
    const item = (await runs.listRunItems(tuesday))?.strategies[0];
    expect(item).toMatchObject({ status: 'NOTHING_TO_DO', notDue: reason });
  });

  it('reads a last rebalance written before the allocation was recorded as having none', () => {
    const old = encodeLastRebalance(SID, {
      runId: RunId('t-2025-02-24'),
      tradingDate: TradingDate('2025-02-24'),
      at: '2025-02-24T20:30:00.000Z',
    });
    expect(old.allocation).toBeUndefined();
    expect(decodeLastRebalance(old)).toEqual({ runId: 't-2025-02-24', tradingDate: '2025-02-24' });
  });

  it('leaves the last rebalance alone for a plan recorded without a schedule (the legacy book)', async () => {
    const other = RunId('t-2025-03-10');
    await open(other, '2025-03-10');
    await recorder.record(aPlan(other, '2025-03-10', true), 'PLANNED', null);
    expect((await readLastRebalance(table, SID))?.tradingDate).toBe('2025-03-03');
  });
});
