import type { NonTradeActivity } from '@books/broker';
import {
  EXTERNAL,
  LEGACY,
  marketTimeToInstant,
  Quantity,
  type StrategyId,
  type Symbol,
  type TradingDate,
} from '@books/core';
import {
  ActivityRepository,
  type BookRepository,
  type BookShare,
  type LedgerTable,
  type LoadedBook,
  loadBook,
  PoolRepository,
  type StoredActivity,
  type TradeRepository,
  TransactionConditionError,
} from '@books/ledger-client';
import { lotsOf } from '@books/portfolio';
import { type ActivityLedger, type HoldingsSnapshot, poolOpeningDay } from '../activities/ingest-activities';
import type { ActivityPlan, Holding } from '../activities/plan-activity';

/** The ingestion's ledger: activities, books, trades and the pool of the one table. */
export class LedgerActivities implements ActivityLedger {
  private readonly activities: ActivityRepository;
  private readonly pool: PoolRepository;
  private loaded = new Map<StrategyId, LoadedBook>();

  constructor(
    table: LedgerTable,
    private readonly books: BookRepository,
    private readonly trades: TradeRepository,
  ) {
    this.activities = new ActivityRepository(table, books);
    this.pool = new PoolRepository(table);
  }

  ingested(): Promise<readonly StoredActivity[]> {
    return this.activities.list();
  }

  async poolOpenedOn(): Promise<TradingDate | undefined> {
    const pool = await this.pool.read();
    return pool ? poolOpeningDay(pool.openedAt) : undefined;
  }

  async snapshot(
    asks: readonly { readonly symbol: Symbol; readonly date: TradingDate }[],
  ): Promise<HoldingsSnapshot> {
    const ids = (await this.books.bookIds()).filter((id) => id !== EXTERNAL);
    const loaded = new Map<StrategyId, LoadedBook>();
    for (const id of ids) loaded.set(id, await loadBook(this.books, id));
    this.loaded = loaded;
    const table = new Map<string, Holding[]>();
    for (const { symbol, date } of asks) {
      const from = marketTimeToInstant(date, '00:00').toISOString();
      const holdings: Holding[] = [];
      for (const [strategyId, { book }] of loaded) {
        const lots = lotsOf(book, symbol);
        const since =
          strategyId === LEGACY
            ? await this.trades.listLegacy({ from })
            : await this.trades.listByStrategy(strategyId, { from });
        let held = Quantity.sum(lots.map((l) => l.openQty));
        for (const t of since) {
          if (t.symbol !== symbol) continue;
          held = t.side === 'buy' ? held.minus(t.filledQty) : held.plus(t.filledQty);
        }
        if (lots.length > 0 || held.isPositive()) holdings.push({ strategyId, heldBefore: held, lots });
      }
      table.set(`${symbol}#${date}`, holdings);
    }
    return { holdings: (symbol, date) => table.get(`${symbol}#${date}`) ?? [] };
  }

  async write(
    _group: readonly NonTradeActivity[],
    plan: ActivityPlan,
    record: (outcome: StoredActivity['outcome'], reason?: string) => readonly StoredActivity[],
  ): Promise<'posted' | 'already-posted' | 'retry' | 'pool-short' | 'too-large'> {
    if (plan.kind === 'pending') {
      const records = record('pending', plan.reason);
      let result: 'posted' | 'already-posted' = 'posted';
      for (const r of records)
        if ((await this.activities.record(r)) === 'already-posted') result = 'already-posted';
      return result;
    }
    const [head] = record('posted');
    if (plan.kind === 'pool') return this.activities.postToPool(head as StoredActivity, plan.entry);
    const shares: BookShare[] = plan.postings.map((p) => {
      const loaded = this.loaded.get(p.strategyId);
      if (!loaded) throw new Error(`activity ${p.posting.id}: book ${p.strategyId} was not read`);
      return { strategyId: p.strategyId, loaded, posting: p.posting };
    });
    try {
      return await this.activities.postToBooks(record('posted'), shares);
    } catch (e) {
      if (e instanceof TransactionConditionError) return 'retry';
      throw e;
    }
  }
}
