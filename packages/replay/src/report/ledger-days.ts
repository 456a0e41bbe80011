import { Money, marketTimeToInstant, type StrategyId, type TradingDate } from '@books/core';
import { bookAt, fillOfTrade, transferOfStored } from '@books/ledger-client';
import { closingPrices } from '@books/market-data';
import { rebuildBook, valueBook } from '@books/portfolio';
import type { Services } from '@books/runtime';
import type { DayInput } from './collect';

/**
 * Each day's book equities rebuilt from the ledger alone, for a report over a stage that kept no
 * replay record: a book at a day's close is the fold of its trades and transfers up to that day,
 * valued at the day's closing prices from the bar store.
 *
 * The account's equity on day D is reconstructed from the broker's cash now:
 *   account_D = brokerCash_now − Σ_b (cash_b,now − transfers_b,now) + Σ_b (equity_b,D − transfers_b,D)
 * because trades move broker cash exactly as they move book cash, and transfers move cash only
 * between the unallocated pool and a book. It holds while every broker trade belongs to a book
 * (what reconciliation checks).
 */
export async function ledgerDayInputs(
  services: Services,
  strategyIds: readonly StrategyId[],
  dates: readonly TradingDate[],
): Promise<DayInput[]> {
  const bars = services.bars;
  if (!bars) throw new Error('the stage has no bar store to value its books at past closes');
  const ledgers = await Promise.all(
    strategyIds.map(async (sid) => {
      const [stored, trades] = await Promise.all([
        services.books.readBook(sid),
        services.trades.listByStrategy(sid),
      ]);
      return {
        sid,
        trades,
        transfers: stored?.transfers ?? [],
        postings: (stored?.activities ?? []).map((a) => a.posting),
      };
    }),
  );
  const account = await services.broker.getAccount();
  const unallocatedNow = account.cash.minus(
    Money.sum(
      ledgers.map((l) => {
        const book = rebuildBook(
          l.sid,
          l.trades.map(fillOfTrade),
          l.transfers.map(transferOfStored),
          l.postings,
        );
        return book.cash.minus(Money.sum(l.transfers.map((t) => t.amount)));
      }),
    ),
  );
  const closes = closingPrices(bars);
  const out: DayInput[] = [];
  for (const date of dates) {
    const end = marketTimeToInstant(date, '23:59').toISOString();
    const books: Record<string, { equity: string; transfersTotal: string }> = {};
    let accountEquity = unallocatedNow;
    for (const l of ledgers) {
      const { book, transfersTotal } = bookAt(l.sid, l.trades, l.transfers, l.postings, end);
      const held = [...new Set(book.lots.map((lot) => lot.symbol))];
      const equity = valueBook(book, await closes(held, date)).equity;
      books[l.sid] = { equity: equity.toString(), transfersTotal: transfersTotal.toString() };
      accountEquity = accountEquity.plus(equity.minus(transfersTotal));
    }
    out.push({ date, accountEquity: accountEquity.toString(), books });
  }
  return out;
}
