import { AlpacaBroker, AlpacaKeys, parseAlpacaConfig, type RequestBudget } from '@books/broker';
import { type Clock, createLogger } from '@books/core';
import { BrokerBudgetRepository, LedgerTable } from '@books/ledger-client';
import { createTestTable, FakeAlpacaServer, fastTime, type TestTable, testDynamo } from '@books/testkit';
import { accountRequestBudget } from '../src/broker';

const silent = createLogger({ service: 'test' }, { level: 'silent' });
/** Budget minutes pass in a second of real time. */
const SPEED = 60;
/** For a test whose first request must land in a given minute of the fast clock. */
const SLOW_SPEED = 10;
const KEY_ID = 'PKBUDGET0001';
const SECRET = 'budget-secret';

/** One function instance: its own DynamoDB client and table handle, the same table. */
function instance(
  tableName: string,
  perMinute: number,
  time: { clock: Clock; sleep: (ms: number) => Promise<void> },
) {
  return accountRequestBudget(new LedgerTable(testDynamo(), tableName), perMinute, {
    logger: silent,
    ...time,
  });
}

describe('the account request budget on DynamoDB Local', () => {
  let test: TestTable;
  beforeAll(async () => {
    test = await createTestTable('broker-budget');
  });
  afterAll(() => test.cleanup());

  it('never counts more than the limit in a minute across concurrent instances', async () => {
    // A fresh minute of the fast clock, so the windows are this test's alone.
    const time = fastTime(SPEED, new Date('2031-01-01T10:00:00.500Z'));
    const limit = 20;
    const instances = Array.from({ length: 6 }, () => instance(test.tableName, limit, time));
    const takenAt: Date[] = [];
    await Promise.all(
      instances.map(async (budget) => {
        for (let i = 0; i < 15; i++) {
          await budget.take();
          takenAt.push(time.clock.now());
        }
      }),
    );
    const repo = new BrokerBudgetRepository(new LedgerTable(test.client, test.tableName));
    const used: number[] = [];
    for (let m = 0; m < 8; m++)
      used.push((await repo.window(new Date(Date.parse('2031-01-01T10:00:00Z') + m * 60_000)))?.used ?? 0);
    expect(used.reduce((a, b) => a + b, 0)).toBe(90);
    expect(Math.max(...used)).toBeLessThanOrEqual(limit);
    // 90 requests at 20 a minute need five minutes: the last one is taken in the fifth.
    const last = Math.max(...takenAt.map((t) => t.getTime()));
    expect(last).toBeGreaterThanOrEqual(Date.parse('2031-01-01T10:04:00Z'));
  }, 30_000);

  describe('following the broker', () => {
    let server: FakeAlpacaServer;
    afterEach(() => server.close());

    async function brokers(time: { clock: Clock; sleep: (ms: number) => Promise<void> }, perMinute = 200) {
      const sent: { who: string; at: Date }[] = [];
      const make = (who: string, budget: RequestBudget) =>
        new AlpacaBroker(parseAlpacaConfig({ tradingUrl: server.url, dataUrl: server.url }), {
          keys: { keys: async () => new AlpacaKeys(KEY_ID, SECRET) },
          clock: time.clock,
          sleep: time.sleep,
          logger: silent,
          budget,
          userAgent: who,
          fetch: (url, init) => {
            sent.push({ who, at: time.clock.now() });
            return fetch(url, init);
          },
        });
      return {
        sent,
        a: make('a', instance(test.tableName, perMinute, time)),
        b: make('b', instance(test.tableName, perMinute, time)),
      };
    }

    it('stops every instance until the reset after a 429', async () => {
      // Slower than the others: instance a's first request must fall in the minute 11:00 (the one
      // whose window the loop below watches) even on a loaded machine: 55 s of it are 5.5 s here.
      const time = fastTime(SLOW_SPEED, new Date('2031-01-01T11:00:05Z'));
      server = await FakeAlpacaServer.start({
        world: { cash: '1000', assets: [], prices: {}, calendar: [] },
        clock: time.clock,
        keyId: KEY_ID,
        secretKey: SECRET,
      });
      const reset = Date.parse('2031-01-01T11:00:35Z');
      server.inject({ route: 'GET /v2/account', kind: 'rate-limit', resetEpochSeconds: reset / 1000 });
      const { sent, a, b } = await brokers(time);
      const repo = new BrokerBudgetRepository(new LedgerTable(test.client, test.tableName));
      const account = a.getAccount();
      // Once instance a has recorded the broker's reset, instance b asks for something else.
      while ((await repo.window(new Date('2031-01-01T11:00:00Z')))?.blockedUntil === undefined)
        await new Promise((r) => setTimeout(r, 5));
      await b.getClock();
      await account;
      const afterFirst = sent.slice(1);
      expect(afterFirst.map((s) => s.who).sort()).toEqual(['a', 'b']);
      for (const s of afterFirst) expect(s.at.getTime()).toBeGreaterThanOrEqual(reset);
    }, 60_000);

    it('stops every instance at X-RateLimit-Remaining 0 before any 429', async () => {
      const time = fastTime(SPEED, new Date('2031-01-01T12:00:05Z'));
      server = await FakeAlpacaServer.start({
        world: { cash: '1000', assets: [], prices: {}, calendar: [] },
        clock: time.clock,
        keyId: KEY_ID,
        secretKey: SECRET,
        // Someone else spends the account too: the broker's count is lower than our budget's.
        rateLimit: { perMinute: 3 },
      });
      const { sent, a, b } = await brokers(time);
      for (let i = 0; i < 3; i++) await a.getAccount();
      await b.getClock();
      expect(server.rateLimitFigures()?.refused).toBe(0);
      expect(sent[3]?.who).toBe('b');
      expect(sent[3]?.at.getTime()).toBeGreaterThanOrEqual(Date.parse('2031-01-01T12:01:00Z'));
      expect(server.rateLimitFigures()?.byCaller).toEqual(
        new Map([
          ['a', 3],
          ['b', 1],
        ]),
      );
    }, 30_000);
  });
});
