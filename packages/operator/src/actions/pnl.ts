import { LEGACY, type Price, Quantity, type Symbol } from '@books/core';
import { LegacyRepository } from '@books/ledger-client';
import { type AttributedPnl, attributedPnl } from '@books/legacy';
import { type BookVerification, verifyBook } from '@books/reconciliation';
import { configOf, mergedStrategies } from '@books/runtime';
import { type StrategyPnl, strategyPnl } from '../queries/book-queries';
import { type QueryContext, selectStrategies } from '../queries/local-session';
import { unconfiguredBookIds } from '../queries/retired-books';

/** One book's P&L with its check against the ledger. */
export interface BookPnlRow {
  readonly pnl: StrategyPnl;
  readonly check: BookVerification;
  /** A book whose strategy left the configuration and still holds positions or cash. */
  readonly retired?: boolean;
}

/** The merged flow: the LEGACY book (one book), and its strategies' attributed shares of it. */
export interface MergedFlowPnl {
  readonly legacy: StrategyPnl;
  readonly check: BookVerification;
  readonly attributed: readonly AttributedPnl[];
}

export interface StagePnl {
  /** Every selected book; with no strategy named, the retired books still holding and the LEGACY book too. */
  readonly rows: readonly BookPnlRow[];
  readonly merged?: MergedFlowPnl;
}

/**
 * Per book: realized P&L (FIFO, from the book's cash item), unrealized at `marks` (default: the
 * broker's latest prices), cash, equity and Σ transfers, each book checked against its rebuild
 * from its trades and transfers (a mismatch is reported, nothing is fixed). Throws on an unknown
 * strategy or a held symbol without a price.
 */
export async function stagePnl(
  ctx: QueryContext,
  request: { readonly strategy?: string; readonly marks?: ReadonlyMap<Symbol, Price> },
): Promise<StagePnl> {
  const { marks, strategy } = request;
  const rows: BookPnlRow[] = [];
  for (const sid of selectStrategies(ctx, strategy)) {
    const [pnl, check] = await Promise.all([
      strategyPnl(ctx.services, sid, marks),
      verifyBook(ctx.services, sid),
    ]);
    rows.push({ pnl, check });
  }
  if (strategy === undefined)
    for (const sid of await unconfiguredBookIds(ctx.services, ctx.strategyIds)) {
      const [pnl, check] = await Promise.all([
        strategyPnl(ctx.services, sid, marks),
        verifyBook(ctx.services, sid),
      ]);
      if (pnl.positions.length > 0 || !pnl.cash.isZero()) rows.push({ pnl, check, retired: true });
    }
  const merged = await mergedFlow(ctx, marks, strategy);
  if (merged && strategy === undefined) rows.push({ pnl: merged.legacy, check: merged.check });
  return merged ? { rows, merged } : { rows };
}

async function mergedFlow(
  ctx: QueryContext,
  marks: ReadonlyMap<Symbol, Price> | undefined,
  strategy?: string,
): Promise<MergedFlowPnl | undefined> {
  const legacy = await strategyPnl(ctx.services, LEGACY, marks);
  if (!legacy.exists) return undefined;
  const merged = (await mergedStrategies(ctx.services, configOf(ctx.services))).filter(
    (id) => strategy === undefined || id === strategy,
  );
  const attributed = attributedPnl({
    strategyIds: merged,
    trades: await ctx.services.trades.listLegacy(),
    signals: await new LegacyRepository(ctx.services.table).latestSignals(),
    legacy: legacy.positions.map((p) => ({ ...p, qty: Quantity.parse(p.qty) })),
  });
  return { legacy, check: await verifyBook(ctx.services, LEGACY), attributed };
}
