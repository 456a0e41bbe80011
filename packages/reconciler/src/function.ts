import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  EXTERNAL,
  errorMessage,
  LEGACY,
  Money,
  marketDateOf,
  Price,
  parseBooksConfig,
  type Quantity,
  runIdOf,
  type StrategyId,
  type Symbol,
  TradingDate,
} from '@books/core';
import { loadBook, PoolRepository, type ReconResult } from '@books/ledger-client';
import { type InFlightOrder, quantitiesOf, type Reconciliation, reconcile } from '@books/portfolio';
import type { Services } from '@books/runtime';
import { z } from 'zod';
import { type ExternalSync, syncExternalBook } from './external-book';
import { reconciliationMetric } from './metric';

/** On demand `{date?}`; after a run `{date, runId, trigger: 'run-complete'}`; the schedule sends `{}`. */
const EventSchema = z
  .object({ date: z.string().optional(), runId: z.string().optional(), trigger: z.string().optional() })
  .loose()
  .optional();

export interface ReconcileSummary {
  readonly date: string;
  readonly ok: boolean;
  readonly breaks: readonly { symbol: string; status: string; unexplained: string }[];
  readonly cash: { status: string; broker: string; books: string; unallocated: string };
  /** What the EXTERNAL book holds after this reconciliation (the broker's unowned positions). */
  readonly external: readonly { symbol: string; qty: string }[];
}

/**
 * Compares every book of the stage's strategies with the broker account: positions per symbol
 * (orders of today's run still in flight explain what they would change), and stores the result
 * as `RECON#{date}`. A break is logged as an error line with its symbol, status and quantities.
 * Cash: broker cash = Σ book cash + LEGACY cash + the unallocated pool as the ledger stores it
 * (read, never derived; 0 before it is opened), and the pool ≥ 0 (`reconcile`'s capital checks).
 * The books are the configured strategies' and the LEGACY book (empty when absent). Unowned broker
 * positions are recorded into the EXTERNAL book (see `syncExternalBook`), which is never counted as
 * an owner: they stay UNOWNED breaks until a human acts. Every reconciliation ends with one summary
 * line that is also a CloudWatch EMF record of `ReconciliationBreaks` (symbol breaks, plus one for a
 * cash break; 0 when clean), at error level when it is not 0.
 */
export function reconcilerFunction(services: Services): (event: unknown) => Promise<ReconcileSummary> {
  const reconcileNow = reconcileAccount(services);
  return async (raw) => (await reconcileNow(raw)).summary;
}

/** The same as `reconcilerFunction`, returning the result as stored beside the summary. */
export function reconcileAccount(
  services: Services,
): (event: unknown) => Promise<{ summary: ReconcileSummary; stored: ReconResult }> {
  const { env, clock, broker } = services;
  const logger = services.logger.child({ function: 'reconciler' });
  return async (raw) => {
    const event = EventSchema.parse(raw);
    const now = clock.now();
    const date = event?.date ? TradingDate(event.date) : marketDateOf(now);
    const path = join(env.BOOKS_STRATEGIES_DIR, env.BOOKS_STRATEGIES_CONFIG);
    const config = parseBooksConfig(JSON.parse(await readFile(path, 'utf8')), { source: path });

    // The run's in-flight orders first, then the books (all at once), then the broker: a fill of an
    // order in flight when the run was read is explained by the in-flight range whether the books
    // or the broker already show it, so it is never a false break.
    const run = await services.runs.listRunItems(runIdOf(env.BOOKS_STAGE, date));
    const [legacy, strategyBooks, pool] = await Promise.all([
      loadBook(services.books, LEGACY).then((l) => l.book),
      Promise.all(config.strategies.map(async (s) => (await loadBook(services.books, s.id)).book)),
      new PoolRepository(services.table).read().then((p) => p?.cash ?? Money.ZERO),
    ]);
    const [positions, account] = await Promise.all([broker.getPositions(), broker.getAccount()]);
    const books = new Map<StrategyId, ReadonlyMap<Symbol, Quantity>>(
      strategyBooks.map((b) => [b.strategyId, quantitiesOf(b)]),
    );
    const bookCash = new Map<StrategyId, Money>(strategyBooks.map((b) => [b.strategyId, b.cash]));
    const inFlight: InFlightOrder[] = (run?.intents ?? [])
      .filter((i) => i.state === 'SUBMITTED' || i.state === 'PARTIALLY_FILLED')
      .map((i) => ({ strategyId: i.strategyId, symbol: i.symbol, side: i.side, qty: i.qty }));
    const totalBookCash = Money.sum(bookCash.values()).plus(legacy.cash);
    const result: Reconciliation = reconcile({
      books,
      legacy: quantitiesOf(legacy),
      broker: new Map(positions.map((p) => [p.symbol, p.qty])),
      inFlight,
      // The broker's marks: an order filled at the broker and not booked yet explains the cash it moved.
      prices: new Map(
        positions
          .filter((p) => p.qty.isPositive())
          .map((p) => [p.symbol, Price.of(p.marketValue.value.dividedBy(p.qty.value))]),
      ),
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
      sync = await syncExternalBook(services, { unowned: result.external, prices, date, at });
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
    const { book: external } = await loadBook(services.books, EXTERNAL);
    const externalQty = quantitiesOf(external);
    const stored = await storeResult(services, {
      date,
      at,
      ...(run ? { runId: run.meta.runId } : {}),
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
    const breakCount = result.breaks.length + (result.cash.status === 'MATCH' ? 0 : 1);
    logger[breakCount === 0 ? 'info' : 'error'](
      {
        event: 'reconciled',
        date,
        ...(event?.trigger ? { trigger: event.trigger } : {}),
        ...(event?.runId ? { reconciledRunId: event.runId } : {}),
        ok: result.ok,
        symbols: result.symbols.length,
        breaks: result.breaks.length,
        cash: result.cash.status,
        ...reconciliationMetric(env.BOOKS_STAGE, breakCount, now),
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
    };
    return { summary, stored };
  };
}

/**
 * Stores the result under `RECON#{date}` / `RESULT#{at}`. Never drops one: a result whose instant is
 * already taken (two reconciliations at one tick of a manual clock, or at one millisecond) is
 * stored at the next free millisecond.
 */
async function storeResult(services: Pick<Services, 'recon'>, result: ReconResult): Promise<ReconResult> {
  const first = new Date(result.at).getTime();
  for (let step = 0; step < 1000; step++) {
    const candidate = { ...result, at: new Date(first + step).toISOString() };
    if (await services.recon.put(candidate)) return candidate;
  }
  throw new Error(`no free instant to store the reconciliation of ${result.date} near ${result.at}`);
}
