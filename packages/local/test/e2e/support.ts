import { type BrokerOrder, OrderNotFound, type OrderRequest } from '@books/broker';
import { createLogger, EXTERNAL, LEGACY, Money, Quantity, type RunId, StrategyId } from '@books/core';
import { LedgerPlannedTrades, LedgerRunProgress } from '@books/execution';
import {
  ActivityRepository,
  decodeRelease,
  keys,
  loadBook,
  PoolRepository,
  readStoredPlan,
  type StrategyTrade,
} from '@books/ledger-client';
import { capitalViolations } from '@books/portfolio';
import { verifyBook } from '@books/reconciliation';
import type { Services } from '@books/runtime';
import {
  daysFrom,
  SAMPLE_DAYS,
  STRATEGIES_DIR,
  STRATEGY_IDS,
  sampleBarsDir,
  uniqueName,
} from '@books/testkit';
import { LocalWorld, type LocalWorldOptions } from '../../src/daily-run/local-world';

export { daysFrom, SAMPLE_DAYS, STRATEGIES_DIR, STRATEGY_IDS, sampleBarsDir };

export async function openWorld(
  prefix: string,
  overrides: Partial<
    Pick<
      LocalWorldOptions,
      | 'inject'
      | 'endpoints'
      | 'strategiesDir'
      | 'configFile'
      | 'flowFlagsFile'
      | 'broker'
      | 'notificationsDir'
    >
  > = {},
): Promise<LocalWorld> {
  const dynamodb = process.env.BOOKS_TEST_DYNAMODB_ENDPOINT;
  const sqs = process.env.BOOKS_TEST_SQS_ENDPOINT;
  if (!dynamodb || !sqs) throw new Error('the embedded test stack is not running');
  return LocalWorld.open({
    endpoints: { dynamodb, sqs },
    stage: uniqueName(prefix)
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 28),
    barsDir: sampleBarsDir(),
    strategiesDir: STRATEGIES_DIR,
    configFile: 'config.local.json',
    ...overrides,
    logger: createLogger(
      { service: 'e2e' },
      {
        level: 'warn',
        destination: { write: (l: string) => (process.env.E2E_LOG ? process.stderr.write(l) : true) },
      },
    ),
  });
}

/** The ledger of every example strategy, as plain comparable text. */
export async function ledgerSnapshot(services: Services) {
  const out: Record<string, unknown> = {};
  for (const sid of STRATEGY_IDS) {
    const { book } = await loadBook(services.books, sid);
    const trades = await services.trades.listByStrategy(sid);
    out[sid] = {
      cash: book.cash.toString(),
      realized: book.realizedPnl.toString(),
      lots: book.lots.map((l) => `${l.symbol} ${l.openQty} ${l.cost} ${l.openedAt}`),
      // The client order id embeds the run id, and that the stage: compare what it identifies.
      trades: trades.map((t) => `${t.filledAt} ${t.side} ${t.symbol} ${t.filledQty} @ ${t.fillPrice}`).sort(),
    };
  }
  return out;
}

export interface InvariantScope {
  /** The strategies' own books (default: the example strategies); LEGACY and EXTERNAL are always counted. */
  readonly strategyIds?: readonly StrategyId[];
  /** Runs whose planned trades must all be final (default: the runs the recorded trades name). */
  readonly runIds?: readonly RunId[];
  /** Every order the broker accepted (as seen by a recording broker): each must be a planned trade. */
  readonly placedOrders?: readonly OrderRequest[];
}

const FINAL_INTENT_STATES: ReadonlySet<string> = new Set(['FILLED', 'REJECTED', 'CANCELED', 'EXPIRED']);
/**
 * The invariants every run must keep, to the cent; returns a list of violations:
 * - no client order id is recorded twice, and a run holds one intent per (strategy, symbol, side, leg);
 * - every fill is in exactly one book: the quantity the broker filled for an intent's client order
 *   id is the quantity of the one trade recorded for it, under the broker's order id;
 * - Σ books (the strategies', LEGACY and EXTERNAL) = the broker's positions;
 * - the unallocated pool, as the ledger stores it, is open and ≥ 0, and the books' cash plus the pool
 *   = the broker's cash, to the cent (`capitalViolations`); the pool = the initial cash − Σ capital
 *   transfers + Σ entries posted to it (deposits, withdrawals, account-level activities);
 * - every broker activity is ingested exactly once: one ACTIVITY item per activity the broker
 *   lists (and none it does not), each posted to the pool once (its entry) or to the books it
 *   names (one posting each, and no posting of it in another book), none left pending;
 * - every book rebuilt from its ledger equals the stored one;
 * - every planned trade is final: each planned SELL, each BUY (sent at once, or released after the
 *   SELLs, which must have been released) has an intent in FILLED, REJECTED, CANCELED or EXPIRED;
 * - no book's cash is below zero;
 * - every order placed at the broker (`placedOrders`) is a trade its run planned: the run's stored
 *   plan (or BUY release) holds its client order id with the same symbol, side and quantity.
 */
export async function checkInvariants(
  services: Services,
  initialCash: Money,
  scope: InvariantScope = {},
): Promise<string[]> {
  const problems: string[] = [];
  const positions = await services.broker.getPositions();
  const account = await services.broker.getAccount();
  const owned = new Map<string, Quantity>();
  let bookCash = Money.ZERO;
  let transferred = Money.ZERO;
  let tradeCount = 0;
  const tradesByClientId = new Map<string, BookedTrade[]>();
  const runIds = new Set<RunId>(scope.runIds ?? []);
  const own = scope.strategyIds ?? STRATEGY_IDS;
  for (const sid of [...own, LEGACY, EXTERNAL]) {
    const loaded = await loadBook(services.books, sid);
    const stored = await services.books.readBook(sid);
    const trades = await services.trades.listByStrategy(sid);
    tradeCount += trades.length;
    for (const t of trades) {
      const same = tradesByClientId.get(t.clientOrderId) ?? [];
      if (same.length > 0) problems.push(`client order id ${t.clientOrderId} recorded twice`);
      tradesByClientId.set(t.clientOrderId, [...same, t]);
      if (scope.runIds === undefined) runIds.add(t.runId);
    }
    for (const lot of loaded.book.lots)
      owned.set(lot.symbol, (owned.get(lot.symbol) ?? Quantity.ZERO).plus(lot.openQty));
    bookCash = bookCash.plus(loaded.book.cash);
    if (loaded.book.cash.isNegative()) problems.push(`book ${sid}: cash ${loaded.book.cash} is below zero`);
    transferred = transferred.plus(Money.sum((stored?.transfers ?? []).map((t) => t.amount)));
    if (!stored && (sid === LEGACY || sid === EXTERNAL)) continue;
    const verification = await verifyBook(services, sid);
    if (!verification.matches)
      problems.push(`book ${sid} differs from its rebuild: ${verification.differences.join('; ')}`);
  }
  // The legacy book's fills are legacy trades (`TRADE#{orderId}`), booked once each too.
  for (const t of await services.trades.listLegacy()) {
    tradeCount++;
    const same = tradesByClientId.get(t.clientOrderId) ?? [];
    if (same.length > 0) problems.push(`client order id ${t.clientOrderId} recorded twice`);
    tradesByClientId.set(t.clientOrderId, [...same, t]);
    if (scope.runIds === undefined) runIds.add(t.runId);
  }
  const broker = new Map(positions.map((p) => [p.symbol as string, p.qty]));
  for (const symbol of new Set([...owned.keys(), ...broker.keys()])) {
    const a = owned.get(symbol) ?? Quantity.ZERO;
    const b = broker.get(symbol) ?? Quantity.ZERO;
    if (!a.eq(b)) problems.push(`${symbol}: books own ${a}, broker holds ${b}`);
  }
  const pool = await new PoolRepository(services.table).read();
  if (!pool) problems.push('the unallocated pool was never opened');
  else {
    problems.push(
      ...capitalViolations({ brokerCash: account.cash, bookCash: [bookCash], pool: pool.cash }).map(
        (v) => `cash: ${v}`,
      ),
    );
    const entries = await new PoolRepository(services.table).entries();
    const posted = Money.sum(entries.filter((e) => e.kind !== 'opening').map((e) => e.amount));
    const unallocated = initialCash.minus(transferred).plus(posted);
    if (!pool.cash.eq(unallocated))
      problems.push(
        `the pool holds ${pool.cash}, the initial cash less the transfers plus the entries posted is ${unallocated}`,
      );
  }
  problems.push(...(await checkActivities(services, [...own, LEGACY, EXTERNAL])));
  if (tradeCount === 0) problems.push('no trade was recorded at all');
  for (const runId of [...runIds].sort())
    problems.push(...(await checkRun(services, runId, tradesByClientId, scope.runIds !== undefined)));
  problems.push(...(await checkPlacedOrders(services, [...runIds], scope.placedOrders ?? [])));
  return problems;
}

/** Each broker activity ingested once: to the pool (one entry) or to the books its item names (one posting each). */
async function checkActivities(services: Services, books: readonly StrategyId[]): Promise<string[]> {
  const problems: string[] = [];
  const listed = await services.broker.listActivities();
  const ingested = await new ActivityRepository(services.table, services.books).list();
  const byId = new Map(ingested.map((a) => [a.activityId, a]));
  for (const a of listed)
    if (!byId.has(a.id)) problems.push(`activity ${a.id} (${a.activityType}) was never ingested`);
  const listedIds = new Set(listed.map((a) => a.id));
  const entries = new Set((await new PoolRepository(services.table).entries()).map((e) => e.id));
  const postedTo = new Map<string, StrategyId[]>();
  for (const sid of books)
    for (const p of await services.books.activities(sid))
      postedTo.set(p.activityId, [...(postedTo.get(p.activityId) ?? []), sid]);
  for (const a of ingested) {
    const what = `activity ${a.activityId} (${a.activityType})`;
    if (!listedIds.has(a.activityId))
      problems.push(`${what} is on the ledger but the broker never listed it`);
    if (a.outcome === 'pending') problems.push(`${what} is pending: ${a.reason ?? ''}`);
    // The rows of one symbol change post once, under one of their ids.
    const holders = [a.activityId, ...(a.group ?? [])].flatMap((id) => postedTo.get(id) ?? []).sort();
    const named = a.outcome === 'posted' && a.target === 'books' ? [...a.books].sort() : [];
    if (holders.join() !== named.join())
      problems.push(`${what} is posted to [${holders.join(', ')}], its item names [${named.join(', ')}]`);
    if ((a.outcome === 'posted' && a.target === 'pool') !== entries.has(a.activityId))
      problems.push(
        `${what}: ${a.target} ${a.outcome}, but the pool ${entries.has(a.activityId) ? 'has' : 'has no'} entry of it`,
      );
  }
  return problems;
}

/** Every order the broker accepted is a planned trade of one of `runIds`, as planned. */
async function checkPlacedOrders(
  services: Services,
  runIds: readonly RunId[],
  placed: readonly OrderRequest[],
): Promise<string[]> {
  const problems: string[] = [];
  const owners = new Map<string, { runId: RunId; strategyId: StrategyId }>();
  for (const runId of runIds)
    for (const i of (await services.runs.listRunItems(runId))?.intents ?? [])
      owners.set(i.clientOrderId, { runId, strategyId: i.strategyId });
  const plans = new LedgerPlannedTrades(services.table);
  for (const order of placed) {
    const what = `placed order ${order.side} ${order.qty} ${order.symbol} (${order.clientOrderId})`;
    const owner = owners.get(order.clientOrderId);
    const planned = owner && (await plans.find(owner.runId, owner.strategyId, order.clientOrderId));
    if (!planned) problems.push(`${what} is no planned intent's`);
    else if (
      planned.symbol !== order.symbol ||
      planned.side !== order.side ||
      !order.qty ||
      !planned.qty.eq(order.qty)
    )
      problems.push(`${what} differs from the planned ${planned.side} ${planned.qty} ${planned.symbol}`);
  }
  return problems;
}

/** What the run check needs of a recorded trade, per-strategy or legacy. */
type BookedTrade = Pick<StrategyTrade, 'clientOrderId' | 'filledQty' | 'orderId' | 'runId'>;

/** One run: one intent per planned trade, every intent final, and each fill booked once at the broker's quantity. */
async function checkRun(
  services: Services,
  runId: RunId,
  tradesByClientId: ReadonlyMap<string, readonly BookedTrade[]>,
  required: boolean,
): Promise<string[]> {
  const problems: string[] = [];
  const run = await services.runs.listRunItems(runId);
  if (!run) return required ? [`run ${runId} does not exist`] : [];
  const identities = new Set<string>();
  for (const intent of run.intents) {
    if (!FINAL_INTENT_STATES.has(intent.state))
      problems.push(`run ${runId}: ${intent.clientOrderId} is ${intent.state}, not final`);
    const trades = tradesByClientId.get(intent.clientOrderId) ?? [];
    let order: BrokerOrder | undefined;
    try {
      order = await services.broker.getOrderByClientId(intent.clientOrderId);
    } catch (e) {
      if (!(e instanceof OrderNotFound)) throw e;
    }
    if (order) {
      // Two orders for one planned trade would be a duplicate under different client order ids.
      const identity = `${intent.strategyId} ${intent.side} ${intent.symbol} leg ${intent.leg}`;
      if (identities.has(identity)) problems.push(`run ${runId}: two broker orders for ${identity}`);
      identities.add(identity);
    }
    const filled = order?.filledQty ?? Quantity.ZERO;
    const booked = Quantity.sum(trades.map((t) => t.filledQty));
    if (!filled.eq(booked))
      problems.push(`${intent.clientOrderId}: the broker filled ${filled}, the books hold ${booked}`);
    for (const t of trades)
      if (order && t.orderId !== order.id)
        problems.push(`${intent.clientOrderId}: trade under order ${t.orderId}, the broker's is ${order.id}`);
  }
  const progress = new LedgerRunProgress(services.table);
  for (const entry of run.strategies) {
    const plan = await readStoredPlan(services.table, runId, entry.strategyId);
    if (!plan) continue;
    const expected: { side: string; symbol: string; clientOrderId?: string }[] = [...plan.sells];
    if (plan.sells.length === 0) expected.push(...plan.buys);
    else {
      const state = await progress.readStrategy(runId, entry.strategyId);
      if (!state?.buysReleased) problems.push(`run ${runId}: ${entry.strategyId}'s BUYs were never released`);
      const marker = await services.table.getItem(keys.release(runId, entry.strategyId));
      if (marker) expected.push(...decodeRelease(marker).released);
    }
    for (const trade of expected) {
      const found = run.intents.some((i) =>
        trade.clientOrderId !== undefined
          ? i.clientOrderId === trade.clientOrderId
          : i.strategyId === entry.strategyId && i.symbol === trade.symbol && i.side === trade.side,
      );
      if (!found)
        problems.push(
          `run ${runId}: ${entry.strategyId}'s planned ${trade.side} ${trade.symbol} was never executed`,
        );
    }
  }
  return problems;
}
