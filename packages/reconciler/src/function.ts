import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Money,
  marketDateOf,
  parseBooksConfig,
  type Quantity,
  RunId,
  type StrategyId,
  type Symbol,
  TradingDate,
} from '@books/core';
import { type InFlightOrder, quantitiesOf, type Reconciliation, reconcile } from '@books/portfolio';
import { loadBook, type Services } from '@books/runtime';
import { z } from 'zod';

const EventSchema = z.object({ date: z.string().optional() }).loose().optional();

export interface ReconcileSummary {
  readonly date: string;
  readonly ok: boolean;
  readonly breaks: readonly { symbol: string; status: string; unexplained: string }[];
  readonly cash: { status: string; broker: string; books: string; unallocated: string };
}

/**
 * Compares every book of the stage's strategies with the broker account: positions per symbol
 * (orders of today's run still in flight explain what they would change), and stores the result
 * as `RECON#{date}`. A break is logged as an error line with its symbol, status and quantities.
 * Cash: the unallocated pool is taken as broker cash − Σ book cash (so cash only breaks on a
 * negative pool); positions carry the check.
 */
export function reconcilerFunction(services: Services): (event: unknown) => Promise<ReconcileSummary> {
  const { env, clock, broker } = services;
  const logger = services.logger.child({ function: 'reconciler' });
  return async (raw) => {
    const event = EventSchema.parse(raw);
    const now = clock.now();
    const date = event?.date ? TradingDate(event.date) : marketDateOf(now);
    const path = join(env.BOOKS_STRATEGIES_DIR, env.BOOKS_STRATEGIES_CONFIG);
    const config = parseBooksConfig(JSON.parse(await readFile(path, 'utf8')), { source: path });

    const books = new Map<StrategyId, ReadonlyMap<Symbol, Quantity>>();
    const bookCash = new Map<StrategyId, Money>();
    for (const s of config.strategies) {
      const { book } = await loadBook(services.books, s.id);
      books.set(s.id, quantitiesOf(book));
      bookCash.set(s.id, book.cash);
    }
    const [positions, account, run] = await Promise.all([
      broker.getPositions(),
      broker.getAccount(),
      services.runs.listRunItems(RunId(`${env.BOOKS_STAGE}-${date}`)),
    ]);
    const inFlight: InFlightOrder[] = (run?.intents ?? [])
      .filter((i) => i.state === 'SUBMITTED' || i.state === 'PARTIALLY_FILLED')
      .map((i) => ({ strategyId: i.strategyId, symbol: i.symbol, side: i.side, qty: i.qty }));
    const totalBookCash = Money.sum(bookCash.values());
    const result: Reconciliation = reconcile({
      books,
      broker: new Map(positions.map((p) => [p.symbol, p.qty])),
      inFlight,
      cash: { broker: account.cash, books: bookCash, unallocated: account.cash.minus(totalBookCash) },
    });
    const at = now.toISOString();
    await services.recon.put({
      date,
      at,
      ...(run ? { runId: run.meta.runId } : {}),
      entries: result.symbols.map((s) => ({
        symbol: s.symbol,
        status: s.status,
        booksQty: s.ownedQty,
        brokerQty: s.brokerQty,
        byStrategy: s.books.map((b) => ({ strategyId: b.strategyId, qty: b.qty })),
      })),
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
    logger.info(
      {
        event: 'reconciled',
        date,
        ok: result.ok,
        symbols: result.symbols.length,
        breaks: result.breaks.length,
      },
      'reconciled',
    );
    return {
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
        unallocated: account.cash.minus(totalBookCash).toString(),
      },
    };
  };
}
