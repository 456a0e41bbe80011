import { RunId } from '@books/core';
import { createTestTable, type TestTable } from '@books/testkit';
import { keys, LedgerTable, OutboxRepository } from '../src';

describe('OutboxRepository on DynamoDB Local', () => {
  let test: TestTable;
  let table: LedgerTable;
  let outbox: OutboxRepository;
  const runId = RunId('local-2024-03-15');
  const event = (eventId: string, createdAt: string) => ({
    runId,
    eventId,
    eventType: 'TradeExecuted',
    eventJson: JSON.stringify({ id: eventId }),
    createdAt,
  });

  beforeAll(async () => {
    test = await createTestTable('outbox');
    table = new LedgerTable(test.client, test.tableName);
    outbox = new OutboxRepository(table);
  });
  afterAll(() => test.cleanup());

  it('keeps an event written in a transaction pending until it is marked published, then sets its TTL', async () => {
    await table.transact([
      outbox.putItem(event('TradeExecuted:b', '2024-03-15T19:30:02Z')),
      outbox.putItem(event('TradeExecuted:a', '2024-03-15T19:30:01Z')),
    ]);
    expect((await outbox.pending(runId)).map((e) => e.eventId)).toEqual([
      'TradeExecuted:a',
      'TradeExecuted:b',
    ]);

    await outbox.markPublished(runId, 'TradeExecuted:a', '2024-03-15T19:31:00Z');
    await outbox.markPublished(runId, 'TradeExecuted:a', '2024-03-15T19:45:00Z');
    expect((await outbox.pending(runId)).map((e) => e.eventId)).toEqual(['TradeExecuted:b']);
    const item = await table.getItem(keys.outboxEvent(runId, 'TradeExecuted:a'));
    // The first publisher's instant is kept; DynamoDB's TTL removes the item 30 days after it.
    expect(item?.published_at?.S).toBe('2024-03-15T19:31:00.000Z');
    expect(item?.expiresAtEpochSeconds?.N).toBe(
      String(Date.parse('2024-03-15T19:31:00Z') / 1000 + 30 * 86_400),
    );
  });

  it('has nothing pending for a run without events', async () => {
    expect(await outbox.pending(RunId('local-2024-03-18'))).toEqual([]);
  });

  it('refuses to mark an event that was never written', async () => {
    await expect(
      outbox.markPublished(runId, 'TradeExecuted:missing', '2024-03-15T19:31:00Z'),
    ).rejects.toThrow();
  });
});
