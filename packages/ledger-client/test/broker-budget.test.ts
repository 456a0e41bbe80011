import { createTestTable, type TestTable } from '@books/testkit';
import { BrokerBudgetRepository, brokerBudgetWindowKey, LedgerTable } from '../src';

const window = { start: new Date('2026-11-27T15:00:00Z'), end: new Date('2026-11-27T15:01:00Z') };
const at = (iso: string) => new Date(iso);

describe('BrokerBudgetRepository on DynamoDB Local', () => {
  let test: TestTable;
  let budget: BrokerBudgetRepository;
  let table: LedgerTable;
  beforeAll(async () => {
    test = await createTestTable('broker-budget-repo');
    table = new LedgerTable(test.client, test.tableName);
    budget = new BrokerBudgetRepository(table);
  });
  afterAll(() => test.cleanup());

  it('counts takes up to the limit, then refuses with the count it holds', async () => {
    const now = at('2026-11-27T15:00:10Z');
    expect(await budget.take(window, 2, now)).toBeUndefined();
    expect(await budget.take(window, 2, now)).toBeUndefined();
    expect(await budget.take(window, 2, now)).toEqual({ used: 2, blockedUntil: undefined });
    expect((await budget.window(window.start))?.used).toBe(2);
  });

  it('keys a window by its start under BUDGET#BROKER, with a TTL a day past its end', async () => {
    const item = await table.getItem(brokerBudgetWindowKey(window.start));
    expect(item?.PK?.S).toBe('BUDGET#BROKER');
    expect(item?.SK?.S).toBe('WINDOW#2026-11-27T15:00:00.000Z');
    expect(item?.expiresAtEpochSeconds?.N).toBe(String(Date.parse('2026-11-28T15:01:00Z') / 1000));
  });

  it('refuses every take while a block is ahead, keeps the later of two blocks, and counts again after it', async () => {
    const other = { start: new Date('2026-11-27T16:00:00Z'), end: new Date('2026-11-27T16:01:00Z') };
    await budget.block(other, at('2026-11-27T16:00:40Z'));
    await budget.block(other, at('2026-11-27T16:00:20Z'));
    expect(await budget.take(other, 200, at('2026-11-27T16:00:30Z'))).toEqual({
      used: 0,
      blockedUntil: at('2026-11-27T16:00:40Z'),
    });
    expect(await budget.take(other, 200, at('2026-11-27T16:00:40Z'))).toBeUndefined();
    expect(await budget.window(other.start)).toEqual({ used: 1, blockedUntil: at('2026-11-27T16:00:40Z') });
  });
});
