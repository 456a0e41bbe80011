import { RunId, TradingDate } from '@books/core';
import { LedgerTable, RunRepository } from '@books/ledger-client';
import { createTestTable, type TestTable } from '@books/testkit';
import { LedgerRunHistory } from '../src/adapters/ledger-run-history';

describe("the stage's latest run on the ledger", () => {
  let test: TestTable;
  let history: LedgerRunHistory;
  let runs: RunRepository;
  beforeAll(async () => {
    test = await createTestTable('runhistory');
    const table = new LedgerTable(test.client, test.tableName);
    history = new LedgerRunHistory(table);
    runs = new RunRepository(table);
  });
  afterAll(() => test.cleanup());

  const run = (date: string) => ({
    runId: RunId(`hist-${date}`),
    tradingDate: TradingDate(date),
    at: '2026-11-24T20:30:00.000Z',
  });

  it('of two dates moving it from the same run at once, exactly one moves it', async () => {
    expect(await history.latest('hist')).toBeUndefined();
    expect(await history.advance('hist', undefined, run('2026-11-23'))).toBe(true);
    const moved = await Promise.all([
      history.advance('hist', TradingDate('2026-11-23'), run('2026-11-24')),
      history.advance('hist', TradingDate('2026-11-23'), run('2026-11-25')),
    ]);
    expect(moved.filter(Boolean)).toHaveLength(1);
    const latest = await history.latest('hist');
    expect(latest?.tradingDate).toBe(moved[0] ? '2026-11-24' : '2026-11-25');
  });

  it('names a run not recorded yet, and one not dispatched yet, as open', async () => {
    await history.advance('solo', undefined, run('2026-11-20'));
    expect(await history.latest('solo')).toEqual({
      runId: RunId('hist-2026-11-20'),
      tradingDate: '2026-11-20',
      waitingFor: 'the run is not recorded yet',
      inFlight: [],
    });
    await runs.createRun(
      {
        runId: RunId('hist-2026-11-20'),
        tradingDate: TradingDate('2026-11-20'),
        trigger: 'exec-1',
        status: 'PLANNED',
        createdAt: '2026-11-20T20:30:00.000Z',
        updatedAt: '2026-11-20T20:30:00.000Z',
      },
      [],
    );
    expect(await history.latest('solo')).toMatchObject({ waitingFor: 'the run is PLANNED', inFlight: [] });
  });
});
