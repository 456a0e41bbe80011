import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, Money, Quantity, StrategyId, type TradingDate } from '@books/core';
import { generateSampleBars, sampleTradingDays } from '@books/market-data/src/sample-bars';
import { loadBook, type Services } from '@books/runtime';
import { uniqueName } from '@books/testkit';
import { LocalWorld } from '../../src/daily-run/local-world';
import { verifyBook } from '../../src/queries/book-queries';

export const STRATEGIES_DIR = join(__dirname, '../../../../strategies');
export const SAMPLE_DAYS = sampleTradingDays('2023-01-03', '2024-12-31');
export const STRATEGY_IDS = ['breakout', 'mean_reversion', 'momentum'].map((s) => StrategyId(s));

let barsDir: string | undefined;
export function sampleBarsDir(): string {
  if (barsDir) return barsDir;
  barsDir = mkdtempSync(join(tmpdir(), 'books-e2e-bars-'));
  for (const [symbol, csv] of generateSampleBars(SAMPLE_DAYS))
    writeFileSync(join(barsDir, `${symbol}.csv`), csv);
  return barsDir;
}

export function daysFrom(first: string, count: number): TradingDate[] {
  const start = SAMPLE_DAYS.findIndex((d) => d >= first);
  return SAMPLE_DAYS.slice(start, start + count);
}

export async function openWorld(prefix: string): Promise<LocalWorld> {
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

/** The invariants every run must keep, to the cent; returns a list of violations. */
export async function checkInvariants(services: Services, initialCash: Money): Promise<string[]> {
  const problems: string[] = [];
  const positions = await services.broker.getPositions();
  const account = await services.broker.getAccount();
  const owned = new Map<string, Quantity>();
  let bookCash = Money.ZERO;
  let transferred = Money.ZERO;
  let tradeCount = 0;
  const clientIds = new Set<string>();
  for (const sid of STRATEGY_IDS) {
    const loaded = await loadBook(services.books, sid);
    const stored = await services.books.readBook(sid);
    const trades = await services.trades.listByStrategy(sid);
    tradeCount += trades.length;
    for (const t of trades) {
      if (clientIds.has(t.clientOrderId)) problems.push(`client order id ${t.clientOrderId} recorded twice`);
      clientIds.add(t.clientOrderId);
    }
    for (const lot of loaded.book.lots)
      owned.set(lot.symbol, (owned.get(lot.symbol) ?? Quantity.ZERO).plus(lot.openQty));
    bookCash = bookCash.plus(loaded.book.cash);
    transferred = transferred.plus(Money.sum((stored?.transfers ?? []).map((t) => t.amount)));
    const verification = await verifyBook(services, sid);
    if (!verification.matches)
      problems.push(`book ${sid} differs from its rebuild: ${verification.differences.join('; ')}`);
  }
  const broker = new Map(positions.map((p) => [p.symbol as string, p.qty]));
  for (const symbol of new Set([...owned.keys(), ...broker.keys()])) {
    const a = owned.get(symbol) ?? Quantity.ZERO;
    const b = broker.get(symbol) ?? Quantity.ZERO;
    if (!a.eq(b)) problems.push(`${symbol}: books own ${a}, broker holds ${b}`);
  }
  const unallocated = initialCash.minus(transferred);
  if (!bookCash.plus(unallocated).eq(account.cash)) {
    problems.push(`cash: books ${bookCash} + unallocated ${unallocated} ≠ broker ${account.cash}`);
  }
  if (tradeCount === 0) problems.push('no trade was recorded at all');
  return problems;
}
