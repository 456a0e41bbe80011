import { AlpacaBroker, AlpacaKeys, parseAlpacaConfig } from '@books/broker';
import {
  type Clock,
  createLogger,
  type ManualClock,
  marketTimeToInstant,
  type RunId,
  TradingDate,
} from '@books/core';
import { readStoredPlan } from '@books/ledger-client';
import { generateSampleBars } from '@books/market-data';
import { FakeAlpacaServer, type FakeOrderPolicy, type FakeOrderScript } from '@books/testkit';
import * as z from 'zod';
import { drainQueue } from '../../src/daily-run/queue-poller';
import { SAMPLE_DAYS, STRATEGY_IDS } from '../e2e/support';
import { deliverChaotically } from './harness/chaotic-delivery';
import {
  ACTIVE_DAYS,
  expectInvariants,
  INITIAL_CASH,
  openScenario,
  played,
  type Scenario,
} from './harness/scenario';
import { KeyedChance, scenarioSeed } from './harness/seeded';

/**
 * The broker faults of Alpaca itself, through the real Alpaca adapter: every function of the
 * daily cycle trades with `AlpacaBroker` (the adapter the runtime builds for `alpaca-paper`)
 * against the fake Alpaca server, which behaves like Alpaca in time (orders accepted, then filled
 * later; partial fills ending `done_for_day` or `expired`; late rejections; a cancel by hand that
 * is `pending_cancel` first; 429 with X-RateLimit-*; 5xx; a connection dropped after the order
 * was accepted) and checks every exchange against Alpaca's OpenAPI documents. Each scenario ends
 * in the suite's invariants: one order per planned trade, no fill lost or booked twice, books =
 * broker.
 */

const SEED = scenarioSeed(190319);
const OrderId = z.object({ id: z.string() });
const KEY_ID = 'PKFAULTS01';
const SECRET = 'faults-secret';
/** The adapter's and the fake's time runs this much faster than real time, as execution's waits do. */
const SPEED = 50;

/** The world's clock, moving on at SPEED while the day is played (the world's own clock stands still). */
class RunningClock implements Clock {
  private startedMs = Date.now();
  constructor(private readonly base: Clock) {}
  now(): Date {
    return new Date(this.base.now().getTime() + (Date.now() - this.startedMs) * SPEED);
  }
  restart(): void {
    this.startedMs = Date.now();
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.ceil(ms / SPEED)));

describe(`fault injection: Alpaca's own faults, through the Alpaca adapter (seed ${SEED})`, () => {
  jest.setTimeout(180_000);
  let s: Scenario;
  let server: FakeAlpacaServer;
  let clock: RunningClock | undefined;
  let worldClock: ManualClock | undefined;
  const bars = generateSampleBars(SAMPLE_DAYS);
  const symbols = [...bars.keys()];

  beforeAll(async () => {
    // The fake starts before the world; its clock follows the world's once the world is open.
    // Its time is the world's plus 100 ms per request received: a lifecycle unfolds as execution
    // polls, the same way whatever the machine's speed.
    const fakeClock: Clock = { now: () => worldClock?.now() ?? new Date(0) };
    server = await FakeAlpacaServer.start({
      world: {
        cash: INITIAL_CASH.toString(),
        assets: symbols.map((symbol) => ({ symbol, tradable: true, fractionable: true })),
        prices: {},
        calendar: SAMPLE_DAYS.map((date) => ({ date, open: '09:30', close: '16:00' })),
        washTradeStatus: 422,
      },
      clock: fakeClock,
      keyId: KEY_ID,
      secretKey: SECRET,
      msPerRequest: 100,
    });
    s = await openScenario('fault-alpaca', SEED, {
      world: {
        broker: (c: ManualClock) => {
          worldClock = c;
          clock = new RunningClock(c);
          return new AlpacaBroker(
            parseAlpacaConfig({ tradingUrl: server.url, dataUrl: server.url, timeoutMs: 2_000 }),
            {
              keys: { keys: async () => new AlpacaKeys(KEY_ID, SECRET) },
              clock,
              sleep,
              logger: createLogger({ service: 'alpaca-faults' }, { level: 'silent' }),
            },
          );
        },
      },
    });
  });

  // Closing the fake fails the suite if any exchange strayed from Alpaca's OpenAPI documents.
  afterAll(() => server?.close());

  /** The day's closes as Alpaca's latest prices; the clocks at 15:30 New York on that day. */
  async function openDay(day: TradingDate): Promise<void> {
    for (const symbol of symbols) {
      const row = (bars.get(symbol) ?? '').split('\n').find((line) => line.startsWith(`${day},`));
      const close = row?.split(',')[4];
      if (close) server.state.setPrice(symbol, close);
    }
    s.world.clock.set(marketTimeToInstant(day, '15:30'));
    clock?.restart();
  }

  async function drain(): Promise<void> {
    await drainQueue(
      s.world.services.clients.sqs,
      s.world.executionQueueUrl,
      s.world.functions.execution,
      s.world.services.logger,
      { retryDelaySeconds: 0 },
    );
  }

  /** Scripts chosen by the seed and the order's identity, not by the order in which orders came. */
  function scripted(
    pick: (chance: KeyedChance, clientOrderId: string) => FakeOrderScript | undefined,
  ): FakeOrderPolicy {
    const chance = new KeyedChance(SEED, s.world.services.env.BOOKS_STAGE);
    return (o) => pick(chance, o.clientOrderId);
  }

  const [funding, sells1, sells2] = ACTIVE_DAYS as [TradingDate, TradingDate, TradingDate];
  /** A day whose SELLs go out first, the BUYs held behind them (as in broker-faults). */
  // Runs go forward in date: each scenario plays a later day than the one before.
  const sells3 = ACTIVE_DAYS[4] as TradingDate;
  const sells4 = TradingDate('2024-10-09');

  /** The day's intents by state, e.g. { FILLED: 5, REJECTED: 1 }. */
  async function statesOf(runId: RunId): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const i of await s.world.services.intents.listForRun(runId)) out[i.state] = (out[i.state] ?? 0) + 1;
    return out;
  }

  it('orders accepted and filled later, some in parts; 429s, 5xx and dropped connections after acceptance: each planned trade one order, booked once', async () => {
    await openDay(funding);
    server.state.scriptOrders(
      scripted((chance, id) =>
        chance.chance('partial', id, 0.4)
          ? {
              initial: 'accepted',
              steps: [
                { afterMs: 300, kind: 'fill', ratio: '0.5' },
                { afterMs: 1_500, kind: 'fill' },
              ],
            }
          : { initial: 'pending_new', steps: [{ afterMs: 800, kind: 'fill' }] },
      ),
    );
    server.inject({ route: 'POST /v2/orders', kind: 'accept-then-drop', count: 2 });
    server.inject({
      route: 'POST /v2/orders',
      kind: 'rate-limit',
      count: 2,
      resetEpochSeconds: null,
      retryAfterSeconds: 2,
    });
    server.inject({ route: 'GET /v2/orders/{id}', kind: 'status', status: 503, count: 3 });
    await s.world.planDay(funding);
    const fundingRun = played(s, funding);
    await deliverChaotically(s.world, s.random, { copies: [1, 2], concurrency: 2 });
    expect(server.count('POST /v2/orders')).toBeGreaterThan(0);
    const states = await statesOf(fundingRun);
    expect(states.FILLED).toBeGreaterThan(0);
    // The two 429s were sent again (copies delivered at once may POST too: Alpaca's 422 on the
    // duplicate client order id sends them to the order placed).
    const intents = Object.values(states).reduce((a, b) => a + b, 0);
    expect(server.count('POST /v2/orders')).toBeGreaterThanOrEqual(intents + 2);
    await expectInvariants(s, `Alpaca in time on ${funding}`);
  });

  it('partial fills that end done_for_day or expired: the filled part booked, the trade final', async () => {
    await openDay(sells1);
    server.state.scriptOrders(
      scripted((chance, id) => ({
        steps: [
          { afterMs: 200, kind: 'fill', ratio: '0.5' },
          {
            afterMs: 900,
            kind: 'end',
            status: chance.chance('expired', id, 0.5) ? 'expired' : 'done_for_day',
          },
        ],
      })),
    );
    await s.world.planDay(sells1);
    const runId = played(s, sells1);
    await drain();
    const intents = await s.world.services.intents.listForRun(runId);
    expect(intents.length).toBeGreaterThan(0);
    const states = await statesOf(runId);
    expect((states.EXPIRED ?? 0) + (states.CANCELED ?? 0)).toBeGreaterThan(0);
    await expectInvariants(s, `partial fills ending done_for_day / expired on ${sells1}`);
  });

  it('late rejections after acceptance, and cancels by hand that are pending_cancel first, then canceled or filled', async () => {
    await openDay(sells2);
    server.state.scriptOrders(
      scripted((chance, id) => {
        if (chance.chance('late-reject', id, 0.3))
          return { initial: 'pending_new', steps: [{ afterMs: 400, kind: 'end', status: 'rejected' }] };
        if (chance.chance('cancel-by-hand', id, 0.5))
          return {
            initial: 'accepted',
            steps: [
              { afterMs: 200, kind: 'pending_cancel' },
              chance.chance('fill-wins', id, 0.5)
                ? { afterMs: 700, kind: 'fill' }
                : { afterMs: 700, kind: 'end', status: 'canceled' },
            ],
          };
        return { steps: [{ afterMs: 300, kind: 'fill' }] };
      }),
    );
    await s.world.planDay(sells2);
    const run2 = played(s, sells2);
    await drain();
    const states = await statesOf(run2);
    expect(states.REJECTED).toBeGreaterThan(0);
    expect(states.FILLED).toBeGreaterThan(0);
    await expectInvariants(s, `late rejections and pending cancels on ${sells2}`);
  });

  it('wash trades answered as 422 42210000 against buys placed by hand, and 5xx on reads: SELLs final, nothing lost', async () => {
    await openDay(sells3);
    // The adapter's orders fill after half a second; the buys placed by hand below stay open.
    server.state.scriptOrders((o) =>
      o.clientOrderId.startsWith('by-hand-')
        ? undefined
        : { initial: 'accepted', steps: [{ afterMs: 500, kind: 'fill' }] },
    );
    await s.world.planDay(sells3);
    const runId = played(s, sells3);
    // A buy limit far below the market, placed by hand on each symbol the day sells: open, so
    // Alpaca answers each SELL "potential wash trade" (422 42210000).
    const sellSymbols = new Set<string>();
    for (const sid of STRATEGY_IDS)
      for (const t of (await readStoredPlan(s.world.services.table, runId, sid))?.sells ?? [])
        sellSymbols.add(t.symbol.replace('/', '.'));
    expect(sellSymbols.size).toBeGreaterThan(0);
    const byHand = [...sellSymbols].map((symbol, i) =>
      server.state.placeOrder({
        symbol,
        side: 'buy',
        type: 'limit',
        limit_price: '0.01',
        qty: '1',
        time_in_force: 'day',
        client_order_id: `by-hand-${runId}-${i}`,
      }),
    );
    expect(byHand.map((r) => r.status)).toEqual(byHand.map(() => 200));
    server.inject({ route: 'GET /v2/orders:by_client_order_id', kind: 'status', status: 502, count: 2 });
    await drain();
    const sells = (await s.world.services.intents.listForRun(runId)).filter((i) => i.side === 'sell');
    expect(sells.map((i) => i.state)).toEqual(sells.map(() => 'REJECTED'));
    expect(sells.every((i) => /wash trade/.test(i.reason ?? ''))).toBe(true);
    await expectInvariants(s, `wash trades (422) and 5xx on reads on ${sells3}`);
    // The operator cancels the buys placed by hand.
    for (const r of byHand)
      expect(server.state.cancel(OrderId.parse(JSON.parse(r.body)).id).status).toBe(204);
  });
  it('an intent still NEW whose order an earlier delivery placed: looked up by client order id, never POSTed again', async () => {
    const day = sells4;
    await openDay(day);
    server.state.scriptOrders(() => ({ initial: 'accepted', steps: [{ afterMs: 300, kind: 'fill' }] }));
    await s.world.planDay(day);
    const runId = played(s, day);
    const sells: { clientOrderId: string; symbol: string; qty: string }[] = [];
    const at = s.world.clock.now().toISOString();
    for (const sid of STRATEGY_IDS)
      for (const t of (await readStoredPlan(s.world.services.table, runId, sid))?.sells ?? []) {
        sells.push({ clientOrderId: t.clientOrderId, symbol: t.symbol, qty: t.qty.toString() });
        // As an earlier delivery's claim left it: NEW.
        await s.world.services.intents.create({
          runId,
          clientOrderId: t.clientOrderId,
          strategyId: sid,
          symbol: t.symbol,
          side: 'sell',
          leg: t.leg,
          qty: t.qty,
          state: 'NEW',
          createdAt: at,
          updatedAt: at,
        });
      }
    expect(sells.length).toBeGreaterThan(0);
    // As if that earlier delivery had placed each SELL and stopped before recording SUBMITTED.
    for (const t of sells)
      expect(
        server.state.placeOrder({
          symbol: t.symbol.replace('/', '.'),
          side: 'sell',
          type: 'market',
          qty: t.qty,
          time_in_force: 'day',
          client_order_id: t.clientOrderId,
        }).status,
      ).toBe(200);
    const requestsBefore = server.requests.length;
    await drain();
    const posted = server.requests.slice(requestsBefore).filter((r) => r.route === 'POST /v2/orders');
    const intents = await s.world.services.intents.listForRun(runId);
    const sellIntents = intents.filter((i) => i.side === 'sell');
    expect(sellIntents.map((i) => i.state)).toEqual(sellIntents.map(() => 'FILLED'));
    // Only the BUYs released after the SELLs were POSTed.
    expect(posted.length).toBe(intents.length - sells.length);
    await expectInvariants(s, `orders placed before their intents were submitted, on ${day}`);
  });
});
