import { randomUUID } from 'node:crypto';
import { ConcurrencyError } from '@books/core';
import { createTestTable, type TestTable } from '@books/testkit';
import {
  ABSENT,
  ConditionFailedError,
  LedgerTable,
  TransactionConditionError,
  toItem,
  VersionConflictError,
} from '../src';

const item = (pk: string, sk: string, extra: Record<string, string | number> = {}) =>
  toItem({ PK: pk, SK: sk, ...extra });

describe('LedgerTable on DynamoDB Local', () => {
  let test: TestTable;
  let table: LedgerTable;
  beforeAll(async () => {
    test = await createTestTable('ledger-table');
    table = new LedgerTable(test.client, test.tableName);
  });
  afterAll(() => test.cleanup());

  it('puts an item only if absent and says whether it wrote', async () => {
    expect(await table.putIfAbsent(item('A', 'once', { v: 'first' }))).toBe(true);
    expect(await table.putIfAbsent(item('A', 'once', { v: 'second' }))).toBe(false);
    expect((await table.getItem({ PK: 'A', SK: 'once' }))?.v).toEqual({ S: 'first' });
  });

  it('reports a lost put condition as a ConcurrencyError carrying the current item', async () => {
    await table.put(item('A', 'cond', { v: 'x' }));
    const failure = table.put(item('A', 'cond', { v: 'y' }), ABSENT);
    await expect(failure).rejects.toBeInstanceOf(ConditionFailedError);
    await expect(failure).rejects.toMatchObject({ current: { v: 'x' } });
  });

  it('writes nothing of a transaction whose one condition fails, and names the failing item', async () => {
    await table.put(item('T', 'existing'));
    const attempt = table.transact([
      { kind: 'put', label: 'fresh one', item: item('T', 'fresh-1'), condition: ABSENT },
      { kind: 'put', label: 'the existing one', item: item('T', 'existing'), condition: ABSENT },
      { kind: 'put', label: 'fresh two', item: item('T', 'fresh-2') },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(TransactionConditionError);
    await expect(attempt).rejects.toMatchObject({
      failures: [{ index: 1, label: 'the existing one', code: 'ConditionalCheckFailed' }],
    });
    expect(await table.getItem({ PK: 'T', SK: 'fresh-1' })).toBeUndefined();
    expect(await table.getItem({ PK: 'T', SK: 'fresh-2' })).toBeUndefined();
  });

  it('applies a transaction retried with the same client request token once', async () => {
    await table.put(item('C', 'counter', { n: 0 }));
    const increment = {
      kind: 'update' as const,
      label: 'counter',
      key: { PK: 'C', SK: 'counter' },
      update: 'SET n = n + :one',
      values: { ':one': { N: '1' } },
    };
    // A token of this test alone: DynamoDB Local remembers tokens across tables for ten minutes.
    const token = randomUUID();
    await table.transact([increment], { clientRequestToken: token });
    await table.transact([increment], { clientRequestToken: token });
    expect((await table.getItem({ PK: 'C', SK: 'counter' }))?.n).toEqual({ N: '1' });
  });

  it('updates with a version only from the expected version, and reports the version found', async () => {
    await table.put(item('V', 'versioned', { version: 1, cash: '10' }));
    expect(await table.updateWithVersion({ PK: 'V', SK: 'versioned' }, 1, { cash: '11' })).toBe(2);
    const stale = table.updateWithVersion({ PK: 'V', SK: 'versioned' }, 1, { cash: '12' });
    await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(stale).rejects.toBeInstanceOf(VersionConflictError);
    await expect(stale).rejects.toMatchObject({ expectedVersion: 1, actualVersion: 2 });
    expect((await table.getItem({ PK: 'V', SK: 'versioned' }))?.cash).toEqual({ S: '11' });
  });

  it('refuses a versioned update of an item that does not exist', async () => {
    await expect(table.updateWithVersion({ PK: 'V', SK: 'missing' }, 1, { cash: '1' })).rejects.toMatchObject(
      {
        expectedVersion: 1,
        actualVersion: undefined,
      },
    );
  });

  it('follows LastEvaluatedKey until a query has returned every page', async () => {
    for (let i = 0; i < 25; i++) await table.put(item('Q', `item#${String(i).padStart(2, '0')}`));
    const all = await table.queryAll({ partition: 'Q', pageSize: 4 });
    expect(all.map((i) => i.SK?.S)).toEqual(
      Array.from({ length: 25 }, (_, i) => `item#${String(i).padStart(2, '0')}`),
    );
    const some = await table.queryAll({
      partition: 'Q',
      sort: { between: ['item#10', 'item#12'] },
      pageSize: 1,
    });
    expect(some).toHaveLength(3);
  });
});
