import {
  EXTERNAL,
  errorMessage,
  LEGACY,
  Money,
  mapBounded,
  marketDateOf,
  Price,
  type Quantity,
  type StrategyId,
  type Symbol,
  type TradingDate,
} from '@books/core';
import { reconciliationBreakEvent, type StageEvent } from '@books/events';
import type { ReconResult } from '@books/ledger-client';
import {
  brokerMarks,
  type InFlightOrder,
  quantitiesOf,
  type Reconciliation,
  reconcile,
} from '@books/portfolio';
import { reconciliationMetric } from './metric';
import type {
  AccountRead,
  ExternalSync,
  PendingActivity,
  ReconcileAccountPorts,
  ReconResultStore,
} from './ports';

/** What asks for a reconciliation: the day (today's market date when absent), and why. */
export interface ReconcileRequest {
  readonly date?: TradingDate;
  /** The run whose completion asked for it, if one did. */
  readonly runId?: string;
  /** `run-complete`, `plan` (the coordinator's fail-closed check), absent for the schedule. */
  readonly trigger?: string;
  /**
   * The activities waiting for an operator, when the caller read them in this invocation and wrote
   * none since (the coordinator's ingestion just before its check); absent, they are read here.
   */
  readonly pendingActivities?: readonly PendingActivity[];
}

export interface ReconcileSummary {
  readonly date: string;
  readonly ok: boolean;
  readonly breaks: readonly { symbol: string; status: string; unexplained: string }[];
  readonly cash: { status: string; broker: string; books: string; unallocated: string };
  /** What the EXTERNAL book holds after this reconciliation (the broker's unowned positions). */
  readonly external: readonly { symbol: string; qty: string }[];
  /**
   * Books whose strategy left the configuration and which still hold lots or cash: reconciled as
   * owners (their positions are explained, never DRIFT) until they are emptied.
   */
  readonly retired: readonly string[];
  /** Broker activities the books could not take (the operator's queue, `books activities`): named breaks. */
  readonly activities: readonly { id: string; type: string; symbol: string | null; reason: string }[];
  /** The broker's rows of classes the books never trade (options, crypto, multi-leg), when any. */
  readonly otherClasses?: readonly { kind: string; assetClass: string; symbol: string }[];
}

/** The intent states of an order placed at the broker and not yet final: what it would change is in flight. */
const IN_FLIGHT_STATES: ReadonlySet<string> = new Set(['SUBMITTED', 'PARTIALLY_FILLED']);

/**
 * Compares every book of the stage's strategies with the broker account: positions per symbol
 * (orders of today's run still in flight explain what they would change), and stores the result
 * as `RECON#{date}`. A break is logged as an error line with its symbol, status and quantities.
 * Cash: broker cash = Σ book cash + LEGACY cash + the unallocated pool as the ledger stores it
 * (read, never derived; 0 before it is opened), and the pool ≥ 0 (`reconcile`'s capital checks).
 * The books are the configured strategies', every other book on the ledger (a strategy removed
 * from the configuration keeps owning what its book holds: "retired"), and the LEGACY book (empty
 * when absent). Unowned broker
 * positions are recorded into the EXTERNAL book (see `syncExternalBook`), which is never counted as
 * an owner: they stay UNOWNED breaks until a human acts. Every reconciliation ends with one summary
 * line that is also a CloudWatch EMF record of `ReconciliationBreaks` (symbol breaks, plus one for a
 * cash break; 0 when clean), at error level when it is not 0.
 * Each break (and a cash break) is then published as a ReconciliationBreak event (id: its date,
 * subject and status), after the result is stored: a failure to publish is thrown (the
 * reconciler's retry reconciles and publishes again, same ids), except in the coordinator's
 * fail-closed check (`trigger: plan`), where it is logged: a bus outage alone must not stop the
 * day's trading, and the check's breaks already stop the strategies they concern.
 * Returns the summary, the result as stored, and what it read (`AccountRead`).
 */
export async function reconcileAccount(
  ports: ReconcileAccountPorts,
  request: ReconcileRequest = {},
): Promise<{ summary: ReconcileSummary; stored: ReconResult; read: AccountRead }> {
  const { logger } = ports;
  const now = ports.clock.now();
  const date = request.date ?? marketDateOf(now);
  // The run's in-flight orders first (with which books there are), then the books (all at once),
  // then the broker: a fill of an order in flight when the run was read is explained by the
  // in-flight range whether the books or the broker already show it, so it is never a false break.
  const [configured, onLedger, run] = await Promise.all([
    ports.config.strategyIds(),
    ports.books.bookIds(),
    ports.runs.ofDate(date),
  ]);
  const unconfigured = onLedger.filter((id) => id !== LEGACY && id !== EXTERNAL && !configured.includes(id));
  const strategyIds = [...configured, ...unconfigured];

  // The pending activities with the books (a read; its failure is thrown where they are reported,
  // after the result is stored, as when read there).
  const pendingRead = settle(
    request.pendingActivities
      ? Promise.resolve(request.pendingActivities)
      : (ports.activities?.pending() ?? Promise.resolve([])),
  );
  // EXTERNAL with the others: its sync starts from it (its version guards the sync's write).
  const [legacyRead, strategyReads, externalRead, poolRead] = await Promise.all([
    ports.books.read(LEGACY),
    mapBounded(strategyIds, (id) => ports.books.read(id)),
    ports.books.read(EXTERNAL),
    ports.pool.balance(),
  ]);
  const legacy = legacyRead.book;
  const strategyBooks = strategyReads.map((r) => r.book);
  const pool = poolRead ?? Money.ZERO;
  const [positions, account, otherClasses] = await Promise.all([
    ports.broker.positions(),
    ports.broker.account(),
    ports.broker.otherClasses?.() ?? [],
  ]);
  if (otherClasses.length > 0)
    ports.logger.warn(
      { event: 'other-asset-classes', rows: otherClasses },
      `the account holds ${otherClasses.length} row(s) of classes the books never trade: reported as external, not reconciled`,
    );
  const books = new Map<StrategyId, ReadonlyMap<Symbol, Quantity>>(
    strategyBooks.map((b) => [b.strategyId, quantitiesOf(b)]),
  );
  const bookCash = new Map<StrategyId, Money>(strategyBooks.map((b) => [b.strategyId, b.cash]));
  const retired = strategyBooks
    .filter((b) => unconfigured.includes(b.strategyId) && (b.lots.length > 0 || !b.cash.isZero()))
    .map((b) => b.strategyId);
  if (retired.length > 0)
    logger.warn(
      { event: 'retired-books', books: retired },
      `books of strategies no longer configured still hold positions or cash (retired): ${retired.join(', ')}`,
    );
  const inFlight: InFlightOrder[] = (run?.intents ?? [])
    .filter((i) => IN_FLIGHT_STATES.has(i.state))
    .map((i) => ({ strategyId: i.strategyId, symbol: i.symbol, side: i.side, qty: i.qty }));
  const totalBookCash = Money.sum(bookCash.values()).plus(legacy.cash);
  const result: Reconciliation = reconcile({
    books,
    legacy: quantitiesOf(legacy),
    broker: new Map(positions.map((p) => [p.symbol, p.qty])),
    inFlight,
    // The broker's marks: an order filled at the broker and not booked yet explains the cash it moved.
    prices: brokerMarks(positions),
    cash: {
      broker: account.cash,
      books: bookCash,
      legacy: legacy.cash,
      unallocated: pool,
    },
  });
  const at = now.toISOString();
  const prices = new Map<Symbol, Price>(
    positions.filter((p) => p.avgEntryPrice.isPositive()).map((p) => [p.symbol, p.avgEntryPrice]),
  );
  let sync: ExternalSync;
  try {
    sync = await ports.external.sync({ unowned: result.external, prices, date, at, book: externalRead });
  } catch (e) {
    // The comparison stands without it: the breaks are reported all the same.
    sync = { entries: [], skipped: `the EXTERNAL book could not be updated: ${errorMessage(e)}` };
  }
  for (const entry of sync.entries)
    logger.warn(
      {
        event: 'external-book',
        symbol: entry.symbol,
        side: entry.side,
        qty: entry.qty.toString(),
        from: entry.from.toString(),
        to: entry.to.toString(),
        orderId: entry.orderId,
      },
      `EXTERNAL ${entry.side} ${entry.qty} ${entry.symbol}: ${entry.note}`,
    );
  if (sync.skipped) logger.error({ event: 'external-book-skipped' }, sync.skipped);
  if (sync.unpriced)
    logger.error(
      { event: 'external-book-unpriced', symbols: sync.unpriced },
      `not recorded into EXTERNAL (no price): ${sync.unpriced.join(', ')}`,
    );
  // As the sync left it: read again only when the sync does not know (a lost race, a failure).
  const externalQty = sync.held ?? quantitiesOf((await ports.books.read(EXTERNAL)).book);
  const stored = await storeResult(ports.results, {
    date,
    at,
    ...(run ? { runId: run.runId } : {}),
    entries: result.symbols.map((s) => {
      const ext = externalQty.get(s.symbol);
      return {
        symbol: s.symbol,
        status: s.status,
        booksQty: ext ? s.ownedQty.plus(ext) : s.ownedQty,
        brokerQty: s.brokerQty,
        byStrategy: [
          ...s.books.map((b) => ({ strategyId: b.strategyId, qty: b.qty })),
          ...(ext ? [{ strategyId: EXTERNAL, qty: ext }] : []),
        ],
      };
    }),
  });
  for (const b of result.breaks) {
    logger.error(
      {
        event: 'reconciliation-break',
        metric: 'ReconciliationBreaks',
        symbol: b.symbol,
        status: b.status,
        broker: b.brokerQty.toString(),
        owned: b.ownedQty.toString(),
        unexplained: b.unexplained.toString(),
      },
      `${b.status} ${b.symbol}: broker ${b.brokerQty}, books ${b.ownedQty}`,
    );
  }
  const pendingActivities = (await pendingRead)();
  for (const a of pendingActivities)
    logger.error(
      {
        event: 'reconciliation-break',
        metric: 'ReconciliationBreaks',
        activityId: a.id,
        type: a.type,
        symbol: a.symbol,
      },
      `ACTIVITY ${a.type} ${a.id}${a.symbol ? ` ${a.symbol}` : ''}: ${a.reason} (books activities)`,
    );
  const breakCount =
    result.breaks.length + (result.cash.status === 'MATCH' ? 0 : 1) + pendingActivities.length;
  logger[breakCount === 0 ? 'info' : 'error'](
    {
      event: 'reconciled',
      date,
      ...(request.trigger ? { trigger: request.trigger } : {}),
      ...(request.runId ? { reconciledRunId: request.runId } : {}),
      ok: result.ok,
      symbols: result.symbols.length,
      breaks: result.breaks.length,
      activities: pendingActivities.length,
      cash: result.cash.status,
      ...reconciliationMetric(ports.stage, breakCount, now),
    },
    breakCount === 0 ? 'reconciled: the books explain the account' : `reconciled: ${breakCount} break(s)`,
  );
  const summary: ReconcileSummary = {
    date,
    ok: result.ok,
    breaks: result.breaks.map((b) => ({
      symbol: b.symbol,
      status: b.status,
      unexplained: b.unexplained.toString(),
    })),
    cash: {
      status: result.cash.status,
      broker: account.cash.toString(),
      books: totalBookCash.toString(),
      unallocated: pool.toString(),
    },
    external: [...externalQty].map(([symbol, qty]) => ({ symbol, qty: qty.toString() })),
    retired,
    activities: pendingActivities.map((a) => ({
      id: a.id,
      type: a.type,
      symbol: a.symbol,
      reason: a.reason,
    })),
    ...(otherClasses.length > 0
      ? {
          otherClasses: otherClasses.map((r) => ({
            kind: r.kind,
            assetClass: r.assetClass || (r.orderClass ?? ''),
            symbol: r.symbol,
          })),
        }
      : {}),
  };
  await publishBreaks(ports, request, date, at, result);
  const read: AccountRead = {
    books: new Map([legacyRead, ...strategyReads, externalRead].map((r) => [r.book.strategyId, r])),
    pool: poolRead,
    positions,
    account,
  };
  return { summary, stored, read };
}

/** A read's outcome, kept until it is asked for: its value, or its error thrown then. */
function settle<T>(read: Promise<T>): Promise<() => T> {
  return read.then(
    (value) => () => value,
    (error: unknown) => () => {
      throw error;
    },
  );
}

async function publishBreaks(
  ports: ReconcileAccountPorts,
  request: ReconcileRequest,
  date: TradingDate,
  at: string,
  result: Reconciliation,
): Promise<void> {
  if (!ports.events) return;
  const origin = { stage: ports.stage, occurredAt: at };
  const common = {
    tradingDate: date,
    ...(request.runId ? { runId: request.runId } : {}),
    ...(request.trigger ? { trigger: request.trigger } : {}),
  };
  const events: StageEvent[] = result.breaks.map((b) =>
    reconciliationBreakEvent(origin, {
      ...common,
      subject: b.symbol,
      status: b.status,
      unexplained: b.unexplained.toString(),
    }),
  );
  if (result.cash.status !== 'MATCH')
    events.push(
      reconciliationBreakEvent(origin, {
        ...common,
        subject: 'CASH',
        status: result.cash.status,
        unexplained: result.cash.unexplained.toString(),
      }),
    );
  if (events.length === 0) return;
  try {
    await ports.events.publish(events);
  } catch (e) {
    if (request.trigger !== 'plan') throw e;
    ports.logger.error(
      { event: 'events-not-published', err: e, ids: events.map((x) => x.id) },
      'reconciliation breaks not published',
    );
  }
}

/**
 * Stores the result under `RECON#{date}` / `RESULT#{at}`. Never drops one: a result whose instant is
 * already taken (two reconciliations at one tick of a manual clock, or at one millisecond) is
 * stored at the next free millisecond.
 */
async function storeResult(results: ReconResultStore, result: ReconResult): Promise<ReconResult> {
  const first = new Date(result.at).getTime();
  for (let step = 0; step < 1000; step++) {
    const candidate = { ...result, at: new Date(first + step).toISOString() };
    if (await results.put(candidate)) return candidate;
  }
  throw new Error(`no free instant to store the reconciliation of ${result.date} near ${result.at}`);
}
