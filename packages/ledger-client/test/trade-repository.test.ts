import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { StrategyId } from '@books/core';
import { createTestTable, type TestTable } from '@books/testkit';
import { LedgerTable, TradeRepository } from '../src';
import { aTrade, SID } from './support/builders';

describe('TradeRepository on DynamoDB Local', () => {
  let test: TestTable;
  let trades: TradeRepository;
  beforeAll(async () => {
    test = await createTestTable('trades');
    trades = new TradeRepository(new LedgerTable(test.client, test.tableName));
  });
  afterAll(() => test.cleanup());

  it('records a trade once and reads it back by strategy and order id', async () => {
    expect(await trades.put(aTrade({ orderId: 'once' }))).toBe(true);
    expect(await trades.put(aTrade({ orderId: 'once' }))).toBe(false);
    expect((await trades.get(SID, 'once'))?.fillPrice.toString()).toBe('601.23');
    expect(await trades.get(SID, 'never')).toBeUndefined();
  });

  it('lists a strategy’s trades within a half-open time range, oldest first, and no other strategy’s', async () => {
    const sid = StrategyId('ranged');
    const at = (h: number) => `2026-11-2${h}T15:00:00.000Z`;
    for (const [i, h] of [3, 1, 4, 2].entries())
      await trades.put(aTrade({ strategyId: sid, orderId: `r${i}`, filledAt: at(h) }));
    await trades.put(aTrade({ strategyId: StrategyId('other'), orderId: 'x', filledAt: at(2) }));
    const listed = await trades.listByStrategy(sid, { from: at(2), to: at(4) });
    expect(listed.map((t) => t.filledAt)).toEqual([at(2), at(3)]);
    expect((await trades.listByStrategy(sid)).map((t) => t.orderId)).toEqual(['r1', 'r3', 'r0', 'r2']);
  });

  it('returns every trade of a GSI1 query spanning more than 1 MB, in time order', async () => {
    const sid = StrategyId('bulk');
    const count = 1_200;
    // ~1 KB per item: the query needs at least two 1 MB pages.
    const padding = 'x'.repeat(900);
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    const all = Array.from({ length: count }, (_, i) =>
      aTrade({
        strategyId: sid,
        strategyName: padding,
        orderId: `bulk-${i}`,
        filledAt: new Date(base + ((i * 7919) % count) * 60_000).toISOString(),
      }),
    );
    for (let i = 0; i < all.length; i += 50)
      await Promise.all(all.slice(i, i + 50).map((t) => trades.put(t)));

    const firstPage = await test.client.send(
      new QueryCommand({
        TableName: test.tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'STRATEGY#bulk' } },
      }),
    );
    expect(firstPage.LastEvaluatedKey).toBeDefined();
    expect(firstPage.Items?.length).toBeLessThan(count);

    const listed = await trades.listByStrategy(sid);
    expect(listed).toHaveLength(count);
    const times = listed.map((t) => t.filledAt);
    expect(times).toEqual([...times].sort());
    expect(new Set(listed.map((t) => t.orderId)).size).toBe(count);
  }, 120_000);

  it('records a legacy trade under its order id alone', async () => {
    const {
      strategyId: _,
      strategyName: __,
      strategyCapital: ___,
      ...fill
    } = aTrade({ orderId: 'legacy-1' });
    const legacy = { ...fill, strategyNames: ['Momentum'], strategyWeights: [] };
    expect(await trades.putLegacy(legacy)).toBe(true);
    expect(await trades.putLegacy(legacy)).toBe(false);
    expect((await trades.getLegacy('legacy-1'))?.strategyNames).toEqual(['Momentum']);
  });
});
