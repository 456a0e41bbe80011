import {
  type AttributeValue,
  DeleteTableCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ConcurrencyError, ManualClock, Money } from '@books/core';
import { testDynamo, uniqueName } from '@books/testkit';
import * as z from 'zod';
import {
  CorruptPaperState,
  DynamoDbPaperBrokerStore,
  type OrderStatus,
  type PaperOrderRecord,
} from '../../src';
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

function order(clientOrderId: string, status: OrderStatus, submittedAt: string): PaperOrderRecord {
  return {
    id: `id-${clientOrderId}`,
    clientOrderId,
    symbol: 'SPY',
    side: 'buy',
    type: 'market',
    status,
    qty: '1',
    notional: null,
    limitPrice: null,
    targetQty: '1',
    filledQty: status === 'filled' ? '1' : '0',
    filledAvgPrice: status === 'filled' ? '100' : null,
    reserved: '0',
    fees: '0',
    submittedAt,
    filledAt: status === 'filled' ? submittedAt : null,
    revision: 0,
  };
}

/** The open-order index as stored in the account's STATE item. */
async function storedIndex(accountId: string): Promise<string[] | undefined> {
  const out = await testDynamo().send(
    new GetItemCommand({
      TableName: tableName,
      Key: { pk: { S: `ACCOUNT#${accountId}` }, sk: { S: 'STATE' } },
      ConsistentRead: true,
    }),
  );
  const json = out.Item?.openOrders?.S;
  return json === undefined ? undefined : (JSON.parse(json) as string[]);
}

/** The sort key a single-item request names. */
const SortKeySchema = z.object({ Key: z.object({ sk: z.object({ S: z.string() }) }) });

const ids = (orders: readonly PaperOrderRecord[]) => orders.map((o) => o.clientOrderId);

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

  it('sends nothing when made, and no check before an operation: its first operation on a missing table creates it and is sent again', async () => {
    const client = testDynamo();
    const sent: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize' },
    );
    const s = new DynamoDbPaperBrokerStore({ client, tableName: uniqueName('paper-broker-lazy') });
    const broker = contractPaperBroker(s, new ManualClock(CONTRACT_NOW));
    expect(sent).toEqual([]);
    expect((await broker.getAccount()).cash.toString()).toBe('10000');
    // The account read finds no table: the table is made, the read sent again (no account yet:
    // it is created, then read).
    expect(sent.slice(0, 2)).toEqual(['GetItemCommand', 'CreateTableCommand']);
    expect(sent.slice(-3)).toEqual(['GetItemCommand', 'PutItemCommand', 'GetItemCommand']);
    // Later operations go out at once.
    sent.length = 0;
    await broker.getAccount();
    expect(sent).toEqual(['GetItemCommand']);
  });

  it('fails an operation on a missing table it cannot create with an error naming the table and how to provision it; the next operation tries again', async () => {
    const client = testDynamo();
    const sent: string[] = [];
    let creates = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(context.commandName ?? '?');
        if (context.commandName === 'CreateTableCommand' && ++creates === 1)
          throw new Error('not authorized to perform: dynamodb:CreateTable');
        return next(args);
      },
      { step: 'initialize' },
    );
    const name = uniqueName('paper-broker-denied');
    const broker = contractPaperBroker(
      new DynamoDbPaperBrokerStore({ client, tableName: name }),
      new ManualClock(CONTRACT_NOW),
    );
    const error = await broker.getAccount().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`table ${name} does not exist and could not be created`);
    expect(message).toContain('not authorized to perform: dynamodb:CreateTable');
    expect(message).toContain('ensureTable');
    expect(sent).toEqual(['GetItemCommand', 'CreateTableCommand']);
    // Nothing kept of the failure: the next operation finds the table missing and creates it.
    sent.length = 0;
    expect((await broker.getAccount()).cash.toString()).toBe('10000');
    expect(sent.slice(0, 2)).toEqual(['GetItemCommand', 'CreateTableCommand']);
  });

  it('creates a missing table for any operation: an order lookup by either id, a commit', async () => {
    const client = testDynamo();
    const sent: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize' },
    );
    const fresh = () => new DynamoDbPaperBrokerStore({ client, tableName: uniqueName('paper-broker-first') });
    await expect(fresh().getOrderByClientId('none')).resolves.toBeUndefined();
    expect(sent).toEqual(['GetItemCommand', 'CreateTableCommand', 'GetItemCommand']);
    sent.length = 0;
    await expect(fresh().getOrder('none')).resolves.toBeUndefined();
    expect(sent).toEqual(['GetItemCommand', 'CreateTableCommand', 'GetItemCommand']);
    // A commit whose table was deleted since the account was read: the table is made again, and the
    // commit finds no account at its version.
    const s = fresh();
    await s.initialise(Money.of(1));
    await s.loadAccount();
    await testDynamo().send(new DeleteTableCommand({ TableName: s.tableName }));
    sent.length = 0;
    await expect(
      s.commit({ account: { expectedVersion: 0, next: { cash: '1', positions: {} } } }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(sent).toEqual(['TransactWriteItemsCommand', 'CreateTableCommand', 'TransactWriteItemsCommand']);
  });

  it('provisions its table ahead with ensureTable: created when absent, accepted when active', async () => {
    const name = uniqueName('paper-broker-ensure');
    const s = new DynamoDbPaperBrokerStore({ client: testDynamo(), tableName: name });
    await s.ensureTable();
    await expect(s.ensureTable()).resolves.toBeUndefined();
    const client = testDynamo();
    const sent: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize' },
    );
    const broker = contractPaperBroker(
      new DynamoDbPaperBrokerStore({ client, tableName: name }),
      new ManualClock(CONTRACT_NOW),
    );
    expect((await broker.getAccount()).cash.toString()).toBe('10000');
    expect(sent).toEqual(['GetItemCommand', 'PutItemCommand', 'GetItemCommand']);
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

  it('starts on an existing account without writing: its first order reads the account item once, then commits', async () => {
    const client = testDynamo();
    const sent: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const key = SortKeySchema.safeParse(args.input);
        sent.push(`${context.commandName} ${key.success ? key.data.Key.sk.S : ''}`.trim());
        return next(args);
      },
      { step: 'initialize' },
    );
    const accountId = uniqueName('reads');
    await (await readyStore(accountId)).initialise(Money.of(10_000));
    const s = new DynamoDbPaperBrokerStore({ client, tableName, accountId });
    const broker = contractPaperBroker(s, new ManualClock(CONTRACT_NOW));
    const request = marketBuy('SPY', '2', cid('reads'));
    expect(sent).toEqual([]);
    await broker.placeOrder(request);
    // No check of the table before the first operation.
    expect(sent).toEqual(['GetItemCommand STATE', 'TransactWriteItemsCommand']);
    // Placed again: the commit finds the id used, and the order is looked up and returned.
    sent.length = 0;
    expect(await broker.placeOrder(request)).toMatchObject({ alreadyExisted: true });
    expect(sent).toEqual([
      'GetItemCommand STATE',
      'TransactWriteItemsCommand',
      `GetItemCommand ORDER#${request.clientOrderId}`,
    ]);
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

  it('reports damaged corporate actions, open-order index and order by key and field', async () => {
    const accountId = uniqueName('corrupt-parts');
    const s = await readyStore(accountId);
    const put = (Item: Record<string, AttributeValue>) =>
      testDynamo().send(
        new PutItemCommand({ TableName: tableName, Item: { pk: { S: `ACCOUNT#${accountId}` }, ...Item } }),
      );
    const state = { sk: { S: 'STATE' }, cash: { S: '1' }, positions: { S: '{}' }, version: { N: '0' } };
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => 'no error',
        (e: unknown) => e,
      );

    await put({ ...state, corporate: { S: '{"handled":[1],"entitlements":{},"rows":[]}' } });
    let error = await failure(s.loadAccount());
    expect(error).toBeInstanceOf(CorruptPaperState);
    expect((error as Error).message).toMatch(/STATE corporate: handled\.0: /);

    await put({ ...state, openOrders: { S: '["a",""]' } });
    error = await failure(s.listOpenOrders());
    expect(error).toBeInstanceOf(CorruptPaperState);
    expect((error as Error).message).toMatch(/STATE openOrders: 1: /);

    const { submittedAt: _, ...withoutTime } = order('a', 'new', '2026-11-27T15:00:00.000Z');
    await put({ sk: { S: 'ORDER#a' }, record: { S: JSON.stringify(withoutTime) } });
    error = await failure(s.getOrderByClientId('a'));
    expect(error).toBeInstanceOf(CorruptPaperState);
    expect((error as Error).message).toMatch(/ORDER#a: submittedAt: /);
  });

  describe('open-order index', () => {
    const T1 = '2026-11-27T15:00:00.000Z';
    const T2 = '2026-11-27T15:01:00.000Z';
    const account = { cash: '100', positions: {} };

    it('holds the orders not yet terminal: a placed order joins it, a fill or a cancel takes it out', async () => {
      const accountId = uniqueName('index');
      const s = await readyStore(accountId);
      await s.initialise(Money.of(100));
      expect(await storedIndex(accountId)).toEqual([]);
      await s.commit({ account: { expectedVersion: 0, next: account }, newOrder: order('b', 'new', T2) });
      await s.commit({ account: { expectedVersion: 1, next: account }, newOrder: order('a', 'new', T1) });
      // Oldest first, whatever the order of the index.
      expect(ids(await s.listOpenOrders())).toEqual(['a', 'b']);
      expect(await storedIndex(accountId)).toEqual(['b', 'a']);

      const partly = { ...order('a', 'partially_filled', T1), revision: 1 };
      await s.commit({
        account: { expectedVersion: 2, next: account },
        updatedOrders: [{ order: partly, expectedRevision: 0 }],
      });
      expect(await storedIndex(accountId)).toEqual(['b', 'a']);
      await s.commit({
        account: { expectedVersion: 3, next: account },
        updatedOrders: [{ order: { ...order('a', 'filled', T1), revision: 2 }, expectedRevision: 1 }],
      });
      await s.commit({
        account: { expectedVersion: 4, next: account },
        updatedOrders: [{ order: { ...order('b', 'canceled', T2), revision: 1 }, expectedRevision: 0 }],
      });
      expect(await storedIndex(accountId)).toEqual([]);
      expect(await s.listOpenOrders()).toEqual([]);
      // A terminal order placed as such never joins it.
      await s.commit({
        account: { expectedVersion: 5, next: account },
        newOrder: order('c', 'rejected', T2),
      });
      expect(await storedIndex(accountId)).toEqual([]);
    });

    it('reads the account and its open orders from one read of the account item, as the two reads give them', async () => {
      const accountId = uniqueName('index-one-read');
      const s = await readyStore(accountId);
      await s.initialise(Money.of(100));
      await s.commit({ account: { expectedVersion: 0, next: account }, newOrder: order('b', 'new', T2) });
      await s.commit({ account: { expectedVersion: 1, next: account }, newOrder: order('a', 'new', T1) });
      const both = await s.loadAccountAndOpenOrders();
      expect(both.account).toEqual(await s.loadAccount());
      expect(both.open).toEqual(await s.listOpenOrders());
      expect(ids(both.open)).toEqual(['a', 'b']);
    });

    it('keeps the index of the version that landed when a commit is retried, or made by another process', async () => {
      const accountId = uniqueName('index-retry');
      const s = await readyStore(accountId);
      await s.initialise(Money.of(100));
      const place = { account: { expectedVersion: 0, next: account }, newOrder: order('a', 'new', T1) };
      await s.commit(place);
      // The same commit again (a retry after a crash that hid its success) is refused, changing nothing.
      await expect(s.commit(place)).rejects.toThrow();
      await expect(
        s.commit({ account: { expectedVersion: 0, next: account }, newOrder: order('b', 'new', T2) }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await storedIndex(accountId)).toEqual(['a']);

      // Another process (a store that remembers nothing) derives its commit's index from the stored one.
      const other = await readyStore(accountId);
      await other.commit({ account: { expectedVersion: 1, next: account }, newOrder: order('b', 'new', T2) });
      expect(await storedIndex(accountId)).toEqual(['a', 'b']);
      // The first store's memory is of version 1: its commit at version 1 is now stale, and refused.
      await expect(
        s.commit({ account: { expectedVersion: 1, next: account }, newOrder: order('c', 'new', T2) }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      expect(ids(await s.listOpenOrders())).toEqual(['a', 'b']);
    });

    it('lists the open orders of an account stored before the index from every order, and indexes it on its next commit', async () => {
      const accountId = uniqueName('index-legacy');
      const s = await readyStore(accountId);
      await s.initialise(Money.of(100));
      await s.commit({ account: { expectedVersion: 0, next: account }, newOrder: order('a', 'new', T1) });
      await s.commit({ account: { expectedVersion: 1, next: account }, newOrder: order('b', 'filled', T2) });
      await s.commit({ account: { expectedVersion: 2, next: account }, newOrder: order('c', 'new', T2) });
      // The STATE item as written before the index: no openOrders.
      await testDynamo().send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            pk: { S: `ACCOUNT#${accountId}` },
            sk: { S: 'STATE' },
            cash: { S: '100' },
            positions: { S: '{}' },
            version: { N: '3' },
          },
        }),
      );
      const old = await readyStore(accountId);
      expect(ids(await old.listOpenOrders())).toEqual(['a', 'c']);
      await old.commit({
        account: { expectedVersion: 3, next: account },
        updatedOrders: [{ order: { ...order('a', 'filled', T1), revision: 1 }, expectedRevision: 0 }],
      });
      expect(await storedIndex(accountId)).toEqual(['c']);
      expect(ids(await old.listOpenOrders())).toEqual(['c']);
    });
  });
});
