import { createLogger, ManualClock } from '@books/core';
import {
  EVENT_SOURCE,
  reconciliationBreakEvent,
  runCompletedEvent,
  type StageEvent,
  tradeExecutedEvent,
} from '@books/events';
import type { RenderedMessage } from '@books/notifications';
import {
  dynamodbClient,
  parseRuntimeEnv,
  type Services,
  servicesWith,
  snsClient,
  ssmClient,
} from '@books/runtime';
import { createTestTable, type TestTable } from '@books/testkit';
import { notifierHandlerFunction } from '../src';

/** An event as EventBridge hands it to the rule's Lambda target (the stage event as its detail). */
function delivered(event: StageEvent) {
  return {
    version: '0',
    id: 'eb-1',
    source: EVENT_SOURCE,
    'detail-type': event.type,
    account: '123456789012',
    time: event.occurredAt,
    region: 'us-east-1',
    resources: [],
    detail: JSON.parse(JSON.stringify(event)),
  };
}

const origin = { stage: 'test', occurredAt: '2024-03-15T20:00:00.000Z' };

describe('the notifier function over its wiring (DynamoDB Local, an in-memory sink)', () => {
  let table: TestTable;
  let services: Services;
  const sent: RenderedMessage[] = [];
  let notify: (event: unknown) => Promise<{ type: string; id: string }>;

  beforeAll(async () => {
    table = await createTestTable('notifier');
    const env = parseRuntimeEnv({
      BOOKS_STAGE: 'test',
      BOOKS_TABLE_NAME: table.tableName,
      BOOKS_EXECUTION_QUEUE_NAME: 'strategy-books-test-execution',
      BOOKS_BROKER_MODE: 'alpaca-paper',
      // The test stack's DynamoDB Local (jest's globalSetup exports it).
      BOOKS_DYNAMODB_ENDPOINT: process.env.BOOKS_TEST_DYNAMODB_ENDPOINT,
      // Nothing listens here: a call to SNS or SSM would fail the test.
      BOOKS_SNS_ENDPOINT: 'http://127.0.0.1:1',
      BOOKS_SSM_ENDPOINT: 'http://127.0.0.1:1',
      BOOKS_LOG_LEVEL: 'silent',
    });
    // The handler's wiring: the ledger, SSM and SNS clients only.
    services = await servicesWith(
      env,
      { clients: { dynamodb: dynamodbClient, ssm: ssmClient, sns: snsClient } },
      {
        clock: new ManualClock('2024-03-15T20:05:00.000Z'),
        logger: createLogger({ service: 'test' }, { level: 'silent' }),
        processEnv: {},
        caller: 'notifier',
      },
    );
    notify = notifierHandlerFunction(
      services,
      { topicArn: 'arn:aws:sns:us-east-1:123456789012:strategy-books-test-alarms' },
      { sink: { deliver: async (m) => void sent.push(m) } },
    );
  });
  afterAll(() => table.cleanup());
  beforeEach(() => {
    sent.length = 0;
  });

  it("delivers a run's digest on its RunCompleted, once per event id", async () => {
    const event = runCompletedEvent(origin, { runId: 'test-2024-03-15', tradingDate: '2024-03-15' });
    await expect(notify(delivered(event))).resolves.toEqual({ type: 'RunCompleted', id: event.id });
    await notify(delivered(event));
    expect(sent.map((m) => [m.kind, m.date])).toEqual([['digest', '2024-03-15']]);
    expect(sent[0]?.text).toContain('2024-03-15');
  });

  it("observes a ReconciliationBreak's date for alerts, and sends no digest for it", async () => {
    const event = reconciliationBreakEvent(origin, {
      tradingDate: '2024-03-15',
      subject: 'SPY',
      status: 'DRIFT',
      unexplained: '2',
    });
    await expect(notify(delivered(event))).resolves.toEqual({ type: 'ReconciliationBreak', id: event.id });
    // No reconciliation result is stored for the day: nothing is failing, nothing to alert.
    expect(sent).toEqual([]);
  });

  it('sends nothing for a TradeExecuted (the rule does not route them; a stray one is harmless)', async () => {
    const event = tradeExecutedEvent(origin, {
      runId: 'test-2024-03-15',
      strategyId: 'momentum',
      clientOrderId: 'test-2024-03-15-momentum-SPY-buy',
      orderId: 'order-1',
      symbol: 'SPY',
      side: 'buy',
      quantity: '2',
      price: '500',
      fees: '0',
      finalState: 'FILLED',
      filledAt: '2024-03-15T19:59:00.000Z',
    });
    await notify(delivered(event));
    expect(sent).toEqual([]);
  });

  it('refuses what is not an EventBridge delivery of a stage event', async () => {
    const event = runCompletedEvent(origin, { runId: 'test-2024-03-15', tradingDate: '2024-03-15' });
    await expect(notify(event)).rejects.toThrow('not a stage event from EventBridge');
    await expect(notify({ ...delivered(event), source: 'elsewhere' })).rejects.toThrow(/source/);
  });
});
