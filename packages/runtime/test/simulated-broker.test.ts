import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import {
  ClientOrderId,
  createLogger,
  ManualClock,
  marketTimeToInstant,
  Quantity,
  Symbol,
  TradingDate,
} from '@books/core';
import { type BarStore, CsvBarStore, generateSampleBars, sampleTradingDays } from '@books/market-data';
import { testDynamo, uniqueName } from '@books/testkit';
import { type AwsCall, dynamodbClient, installAwsCallRecorder } from '../src/clients';
import { parseRuntimeEnv } from '../src/env';
import { servicesWith } from '../src/services';
import { barCalendar } from '../src/simulated-market';

const DAY = TradingDate('2024-03-15');

/** A stage on the simulated broker over the test stack's DynamoDB, its bars in `bars`. */
function simulatedStage(bars: string) {
  const stage = uniqueName('sim', 20);
  return parseRuntimeEnv({
    BOOKS_STAGE: stage,
    BOOKS_TABLE_NAME: `strategy-books-${stage}-ledger`,
    BOOKS_EXECUTION_QUEUE_NAME: `strategy-books-${stage}-execution`,
    BOOKS_BROKER_MODE: 'simulated',
    BOOKS_BARS: bars,
    BOOKS_DYNAMODB_ENDPOINT: process.env.BOOKS_TEST_DYNAMODB_ENDPOINT,
    BOOKS_SIMULATED_CASH: '10000',
    BOOKS_LOG_LEVEL: 'silent',
  });
}

/** `store`, noting each read of it. */
function noting(store: CsvBarStore, reads: string[]): BarStore {
  return {
    isTradingDay: (date) => {
      reads.push(`day ${date}`);
      return store.isTradingDay(date);
    },
    bars: (symbol, until) => {
      reads.push(`bars ${symbol}`);
      return store.bars(symbol, until);
    },
    calendar: (until) => {
      reads.push('calendar');
      return store.calendar(until);
    },
    symbols: () => {
      reads.push('symbols');
      return store.symbols();
    },
  };
}

const options = (clock: ManualClock) => ({
  clock,
  logger: createLogger({ service: 'test' }, { level: 'silent' }),
  processEnv: {},
  caller: 'execution',
});

describe('the simulated broker of a function', () => {
  let dir: string;
  const tables: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'simulated-broker-'));
    for (const [symbol, csv] of generateSampleBars(sampleTradingDays('2024-03-01', '2024-03-29')))
      writeFileSync(path.join(dir, `${symbol}.csv`), csv);
  });
  afterAll(async () => {
    installAwsCallRecorder(undefined);
    rmSync(dir, { recursive: true, force: true });
    for (const TableName of tables) await testDynamo().send(new DeleteTableCommand({ TableName }));
  });

  it('is built without a call or a read of the bars: its first request finds its table missing and creates it, and the bars are read as its requests need them', async () => {
    const calls: AwsCall[] = [];
    installAwsCallRecorder({ record: (call) => calls.push(call) });
    const env = simulatedStage(dir);
    tables.push(`strategy-books-${env.BOOKS_STAGE}-paper-broker`);
    const reads: string[] = [];
    const clock = new ManualClock(marketTimeToInstant(DAY, '10:00'));
    const services = await servicesWith(
      env,
      { clients: { dynamodb: dynamodbClient } },
      { ...options(clock), bars: noting(new CsvBarStore(dir), reads) },
    );
    expect(calls).toEqual([]);
    expect(reads).toEqual([]);
    const operations = () => calls.map((c) => c.operation);

    // An account read needs no bars (no position yet): it goes out at once, finds no table, and is
    // sent again once the table is made.
    expect((await services.broker.getAccount()).cash.toString()).toBe('10000');
    expect(operations().slice(0, 2)).toEqual(['GetItem', 'CreateTable']);
    expect(reads).toEqual([]);

    // An order reads the calendar's day of its instant alone (the listing first), then its asset
    // and price.
    calls.length = 0;
    const order = await services.broker.placeOrder({
      clientOrderId: ClientOrderId('sim-lazy-1'),
      symbol: Symbol('SPY'),
      side: 'buy',
      type: 'market',
      timeInForce: 'day',
      qty: Quantity.parse('1'),
    });
    expect(order.status).toBe('filled');
    expect(operations()).toEqual(['GetItem', 'TransactWriteItems']);
    expect(reads).toEqual(['symbols', `day ${DAY}`, 'bars SPY', 'bars SPY']);
    // A session of one date is that day's alone, read once.
    expect(await services.broker.getCalendar(DAY, DAY)).toMatchObject([{ date: DAY, open: '09:30' }]);
    expect(reads).toHaveLength(4);
    // The clock needs every day: the calendar is read, once.
    expect((await services.broker.getClock()).isOpen).toBe(true);
    await services.broker.getClock();
    expect(reads.slice(4)).toEqual(['calendar']);
    services.clients.dynamodb.destroy();
  });

  it('fails, on a missing bars directory, the first request that reads the market with the error its construction failed with before', async () => {
    const missing = path.join(dir, 'no-such-directory');
    const before = await barCalendar(new CsvBarStore(missing)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(before).toBeInstanceOf(Error);
    const message = (before as Error).message;
    expect(message).toContain('cannot list the bars directory');

    const env = simulatedStage(missing);
    tables.push(`strategy-books-${env.BOOKS_STAGE}-paper-broker`);
    const clock = new ManualClock(marketTimeToInstant(DAY, '10:00'));
    const services = await servicesWith(env, { clients: { dynamodb: dynamodbClient } }, options(clock));
    const { broker } = services;
    await expect(broker.getClock()).rejects.toThrow(message);
    await expect(broker.getCalendar(DAY, DAY)).rejects.toThrow(message);
    await expect(broker.getAsset(Symbol('SPY'))).rejects.toThrow(message);
    await expect(broker.getLatestPrices([Symbol('SPY')])).rejects.toThrow(message);
    await expect(
      broker.placeOrder({
        clientOrderId: ClientOrderId('sim-missing-1'),
        symbol: Symbol('SPY'),
        side: 'buy',
        type: 'market',
        timeInForce: 'day',
        qty: Quantity.parse('1'),
      }),
    ).rejects.toThrow(message);
    // What reads no bars still answers: the account, its open orders.
    expect((await broker.getAccount()).cash.toString()).toBe('10000');
    expect(await broker.listOpenOrders()).toEqual([]);
    services.clients.dynamodb.destroy();
  });
});
