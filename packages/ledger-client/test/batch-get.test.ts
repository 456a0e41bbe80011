import type { BatchGetItemCommandInput, BatchGetItemCommandOutput } from '@aws-sdk/client-dynamodb';
import { StrategyId } from '@books/core';
import { createTestTable, type TestTable } from '@books/testkit';
import {
  batchGetEach,
  batchGetItems,
  batchKeyOf,
  encodeOpenMigration,
  fromItem,
  type ItemKey,
  keys,
  LedgerError,
  LedgerTable,
  MigrationRepository,
  toItem,
} from '../src';

const key = (i: number): ItemKey => ({ PK: `P#${i % 7}`, SK: `S#${String(i).padStart(4, '0')}` });

/**
 * A middleware on the test's client that, on each BatchGetItem answer, hands back as unprocessed
 * the keys `leave(round, keys)` picks (their items dropped from the answer), as DynamoDB does
 * when it is throttled or the answer is too large; it records the keys of every request.
 */
function leaveUnprocessed(test: TestTable, leave: (round: number, asked: number) => number) {
  const requests: number[] = [];
  test.client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName !== 'BatchGetItemCommand') return out;
      const input = args.input as BatchGetItemCommandInput;
      const output = out.output as BatchGetItemCommandOutput;
      const [table, request] = Object.entries(input.RequestItems ?? {})[0] ?? [];
      if (table === undefined || request === undefined) return out;
      const asked = request.Keys ?? [];
      requests.push(asked.length);
      const left = asked.slice(0, leave(requests.length, asked.length));
      const leftIds = new Set(left.map((k) => `${k.PK?.S}|${k.SK?.S}`));
      output.Responses = {
        [table]: (output.Responses?.[table] ?? []).filter((i) => !leftIds.has(`${i.PK?.S}|${i.SK?.S}`)),
      };
      output.UnprocessedKeys = left.length > 0 ? { [table]: { ...request, Keys: left } } : {};
      return out;
    },
    { step: 'initialize', name: 'leaveUnprocessed' },
  );
  return requests;
}

describe('batchGetItems: many keys in BatchGetItem requests of at most 100', () => {
  let test: TestTable;
  let table: LedgerTable;
  const slept: number[] = [];
  const sleep = async (ms: number) => {
    slept.push(ms);
  };
  beforeEach(async () => {
    test = await createTestTable('batch-get');
    table = new LedgerTable(test.client, test.tableName);
    slept.length = 0;
  });
  afterEach(() => test.cleanup());

  it('reads 250 keys in three requests: every present item, keyed by PK and SK, none of the absent ones', async () => {
    for (let i = 0; i < 250; i += 3) await table.put(toItem({ ...key(i), n: i }));
    const requests = leaveUnprocessed(test, () => 0);
    const found = await batchGetItems(
      table,
      Array.from({ length: 250 }, (_, i) => key(i)),
    );
    expect(requests.sort((a, b) => a - b)).toEqual([50, 100, 100]);
    expect(found.size).toBe(84);
    expect(fromItem(found.get(batchKeyOf(key(249))) ?? {})).toMatchObject({ n: '249' });
    expect(found.has(batchKeyOf(key(248)))).toBe(false);
  });

  it('asks a key given twice once (DynamoDB refuses a request that names a key twice)', async () => {
    await table.put(toItem({ ...key(1), n: 1 }));
    const requests = leaveUnprocessed(test, () => 0);
    const found = await batchGetItems(table, [key(1), key(2), key(1)]);
    expect(requests).toEqual([2]);
    expect([...found.keys()]).toEqual([batchKeyOf(key(1))]);
  });

  it('asks the unprocessed keys again, after a growing wait, until every key is read', async () => {
    for (let i = 0; i < 10; i++) await table.put(toItem({ ...key(i), n: i }));
    // Round 1 leaves 6 keys unprocessed, round 2 leaves 2, round 3 reads the rest.
    const requests = leaveUnprocessed(test, (round) => (round === 1 ? 6 : round === 2 ? 2 : 0));
    const found = await batchGetItems(
      table,
      Array.from({ length: 10 }, (_, i) => key(i)),
      { sleep },
    );
    expect(requests).toEqual([10, 6, 2]);
    expect(slept).toEqual([10, 20]);
    expect([...found.keys()].sort()).toEqual(Array.from({ length: 10 }, (_, i) => batchKeyOf(key(i))).sort());
  });

  it('fails, naming how many keys were left, when keys stay unprocessed: it never reports them absent', async () => {
    await table.put(toItem({ ...key(1), n: 1 }));
    const requests = leaveUnprocessed(test, () => 1);
    await expect(batchGetItems(table, [key(1), key(2)], { sleep, maxAttempts: 3 })).rejects.toThrow(
      new LedgerError('BatchGetItem left 1 of 2 keys unprocessed after 3 rounds'),
    );
    expect(requests).toEqual([2, 1, 1]);
  });

  it('an empty list of keys reads nothing', async () => {
    const requests = leaveUnprocessed(test, () => 0);
    expect((await batchGetItems(table, [])).size).toBe(0);
    expect(requests).toEqual([]);
  });

  it('batchGetEach decodes the item of each id that has one (a repository: the open migrations of strategies)', async () => {
    const migrations = new MigrationRepository(table);
    const sids = Array.from({ length: 120 }, (_, i) => StrategyId(`s${i}`));
    await table.put(
      encodeOpenMigration({
        strategyId: StrategyId('s7'),
        id: 'm1',
        direction: 'to-legacy',
        at: '2026-11-24T14:00:00.000Z',
      }),
    );
    const each = await batchGetEach(table, sids, keys.openMigration, (item) => fromItem(item).migration_id);
    expect([...each]).toEqual([[StrategyId('s7'), 'm1']]);
    const open = await migrations.openOf(sids);
    expect([...open.keys()]).toEqual([StrategyId('s7')]);
    expect(open.get(StrategyId('s7'))).toEqual(await migrations.open(StrategyId('s7')));
  });
});
