import { TradingDate } from '@books/core';
import { createTestTable, type TestTable } from '@books/testkit';
import { LedgerTable, ReconRepository } from '../src';
import { aRecon } from './support/builders';

describe('ReconRepository on DynamoDB Local', () => {
  let test: TestTable;
  let recon: ReconRepository;
  beforeAll(async () => {
    test = await createTestTable('recon');
    recon = new ReconRepository(new LedgerTable(test.client, test.tableName));
  });
  afterAll(() => test.cleanup());

  it('keeps every result of a date and tells the latest', async () => {
    expect(await recon.put(aRecon({ at: '2026-11-24T21:15:00Z' }))).toBe(true);
    expect(await recon.put(aRecon({ at: '2026-11-24T16:15:00Z', entries: [] }))).toBe(true);
    expect(await recon.put(aRecon({ at: '2026-11-24T21:15:00Z' }))).toBe(false);
    const date = TradingDate('2026-11-24');
    expect((await recon.list(date)).map((r) => r.at)).toEqual([
      '2026-11-24T16:15:00.000Z',
      '2026-11-24T21:15:00.000Z',
    ]);
    expect((await recon.latest(date))?.entries[0]?.status).toBe('MATCH');
    expect(await recon.latest(TradingDate('2026-11-23'))).toBeUndefined();
  });
});
