import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ManualClock, Money } from '@books/core';
import { testDynamo, uniqueName } from '@books/testkit';
import { CorruptPaperState, DynamoDbPaperBrokerStore } from '../../src';
import { describeBrokerContract } from '../support/broker-contract';
import { contractPaperBroker } from '../support/paper';
import { CONTRACT_NOW, cid, marketBuy } from '../support/world';

const stackRunning = (process.env.BOOKS_TEST_DYNAMODB_ENDPOINT ?? '') !== '';
const describeWithStack = stackRunning
  ? describe
  : (name: string, fn: () => void) =>
      describe.skip(
        `${name} (skipped: BOOKS_TEST_DYNAMODB_ENDPOINT is not set, the embedded stack is not running)`,
        fn,
      );

const tableName = uniqueName('paper-broker-test');
let tableReady: Promise<void> | undefined;

function store(accountId = uniqueName('acct')): DynamoDbPaperBrokerStore {
  const s = new DynamoDbPaperBrokerStore({ client: testDynamo(), tableName, accountId });
  tableReady ??= s.ensureTable();
  return s;
}

async function readyStore(accountId?: string): Promise<DynamoDbPaperBrokerStore> {
  const s = store(accountId);
  await tableReady;
  return s;
}

describeWithStack('paper broker on DynamoDB', () => {
  describeBrokerContract('paper broker, DynamoDB store', async () => ({
    broker: contractPaperBroker(await readyStore(), new ManualClock(CONTRACT_NOW)),
    close: async () => {},
  }));

  it('creates its table on first use when absent, and accepts an existing one', async () => {
    const fresh = new DynamoDbPaperBrokerStore({
      client: testDynamo(),
      tableName: uniqueName('paper-broker-new'),
    });
    const broker = contractPaperBroker(fresh, new ManualClock(CONTRACT_NOW));
    expect((await broker.getAccount()).cash.toString()).toBe('10000');
    const again = new DynamoDbPaperBrokerStore({ client: testDynamo(), tableName: fresh.tableName });
    await expect(again.ensureTable()).resolves.toBeUndefined();
  });

  it('never resets an existing account when initialised again', async () => {
    const s = await readyStore();
    await s.initialise(Money.of(100));
    await s.initialise(Money.of(5));
    expect((await s.loadAccount()).value.cash).toBe('100');
  });

  it('places a client order id once when two processes race on one account', async () => {
    const accountId = uniqueName('race');
    const clock = new ManualClock(CONTRACT_NOW);
    const a = contractPaperBroker(await readyStore(accountId), clock, { newOrderId: () => `a-${cid()}` });
    const b = contractPaperBroker(await readyStore(accountId), clock, { newOrderId: () => `b-${cid()}` });
    const request = marketBuy('SPY', '2', cid('race'));
    const results = await Promise.all([a.placeOrder(request), b.placeOrder(request), b.placeOrder(request)]);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.alreadyExisted)).toHaveLength(1);
    expect((await a.getAccount()).cash.toString()).toBe('9000');
  });

  it('never spends the same cash twice when processes buy concurrently', async () => {
    const accountId = uniqueName('spend');
    const clock = new ManualClock(CONTRACT_NOW);
    const brokers = await Promise.all(
      [0, 1, 2, 3].map(async (i) =>
        contractPaperBroker(await readyStore(accountId), clock, { newOrderId: () => `${i}-${cid()}` }),
      ),
    );
    const outcomes = await Promise.allSettled(brokers.map((b) => b.placeOrder(marketBuy('SPY', '6'))));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    expect((await brokers[0]?.getAccount())?.cash.toString()).toBe('1000');
  });

  it('reports a damaged account item by table, key and field', async () => {
    const accountId = uniqueName('corrupt');
    const s = await readyStore(accountId);
    await testDynamo().send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: `ACCOUNT#${accountId}` },
          sk: { S: 'STATE' },
          cash: { S: '12.5' },
          positions: { S: '{"SPY":{"qty":1.5,"cost":"3"}}' },
          version: { N: '0' },
        },
      }),
    );
    const error = await s.loadAccount().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptPaperState);
    expect((error as Error).message).toMatch(/ACCOUNT#corrupt-[0-9a-f]+ STATE: SPY\.qty: /);
  });
});
