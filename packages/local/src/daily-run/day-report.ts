import {
  type Money,
  marketTimeToInstant,
  runIdOf,
  type StrategyId,
  Symbol,
  type TradingDate,
} from '@books/core';
import {
  type FillSummary,
  fillSummary,
  type IntentSummary,
  intentSummaries,
  loadBook,
  readStoredPlan,
} from '@books/ledger-client';
import { valueBook } from '@books/portfolio';
import type { Services } from '@books/runtime';

export interface StrategyDayReport {
  readonly strategyId: StrategyId;
  readonly status: string;
  readonly error?: string;
  readonly targets: Record<string, string>;
  readonly capital?: string;
  readonly trades: readonly IntentSummary[];
  readonly fills: readonly FillSummary[];
  readonly positions: readonly {
    symbol: string;
    qty: string;
    price: string;
    value: string;
    unrealized: string;
  }[];
  readonly cash: string;
  readonly equity: string;
  readonly realizedPnl: string;
  readonly unrealizedPnl: string;
}

export interface DayReport {
  readonly date: TradingDate;
  readonly runId: string;
  readonly runStatus: string;
  readonly strategies: readonly StrategyDayReport[];
  readonly account: { readonly equity: string; readonly cash: string };
}

/** Everything a user wants to see after a day, read back from the ledger and the broker. */
export async function dayReport(services: Services, date: TradingDate): Promise<DayReport> {
  const runId = runIdOf(services.env.BOOKS_STAGE, date);
  const run = await services.runs.listRunItems(runId);
  const account = await services.broker.getAccount();
  const strategies: StrategyDayReport[] = [];
  for (const item of run?.strategies ?? []) {
    const sid = item.strategyId;
    const range = {
      from: marketTimeToInstant(date, '00:00').toISOString(),
      to: marketTimeToInstant(date, '23:59').toISOString(),
    };
    const [plan, loaded, fills] = await Promise.all([
      readStoredPlan(services.table, runId, sid),
      loadBook(services.books, sid),
      services.trades.listBookFills(sid, range),
    ]);
    const held = [...new Set(loaded.book.lots.map((l) => l.symbol))];
    const quotes = await services.broker.getLatestPrices(held.map((s) => Symbol(s)));
    const prices = new Map([...quotes].map(([s, q]) => [s, q.price]));
    const valuation = valueBook(loaded.book, prices);
    strategies.push({
      strategyId: sid,
      status: item.status,
      ...(item.error ? { error: item.error } : {}),
      targets: Object.fromEntries(Object.entries(plan?.weights ?? {}).map(([s, w]) => [s, w.toString()])),
      ...(plan ? { capital: plan.capital.explanation } : {}),
      trades: intentSummaries(run?.intents ?? [], sid),
      fills: fills.map(fillSummary),
      positions: valuation.positions.map((p) => ({
        symbol: p.symbol,
        qty: p.qty.toString(),
        price: p.price.toString(),
        value: cents(p.marketValue),
        unrealized: cents(p.unrealizedPnl),
      })),
      cash: cents(valuation.cash),
      equity: cents(valuation.equity),
      realizedPnl: cents(valuation.realizedPnl),
      unrealizedPnl: cents(valuation.unrealizedPnl),
    });
  }
  return {
    date,
    runId,
    runStatus: run?.meta.status ?? 'NO RUN',
    strategies,
    account: { equity: cents(account.equity), cash: cents(account.cash) },
  };
}

function cents(m: Money): string {
  return m.toCents().value.toFixed(2);
}

export function formatDayReport(r: DayReport): string {
  const lines = [`${r.date}  run ${r.runId}: ${r.runStatus}`, ''];
  for (const s of r.strategies) {
    lines.push(`■ ${s.strategyId}  [${s.status}]${s.error ? `  ${s.error}` : ''}`);
    if (s.status === 'SIGNALLED')
      lines.push('  merged    its signal is traded by the LEGACY book (books pnl: its attributed share)');
    const targets = Object.entries(s.targets).map(([sym, w]) => `${sym} ${(Number(w) * 100).toFixed(1)}%`);
    if (targets.length > 0) lines.push(`  targets   ${targets.join('  ')}`);
    if (s.capital) lines.push(`  capital   ${s.capital}`);
    for (const t of s.trades)
      lines.push(
        `  trade     ${t.side.padEnd(4)} ${t.qty.padStart(14)} ${t.symbol.padEnd(6)} ${t.state}${t.reason ? ` (${t.reason})` : ''}`,
      );
    for (const f of s.fills)
      lines.push(`  fill      ${f.side.padEnd(4)} ${f.qty.padStart(14)} ${f.symbol.padEnd(6)} @ ${f.price}`);
    for (const p of s.positions)
      lines.push(
        `  holding   ${p.symbol.padEnd(6)} ${p.qty.padStart(14)} @ ${p.price.padStart(9)} = ${p.value.padStart(11)}  (unrealized ${p.unrealized})`,
      );
    lines.push(
      `  book      equity ${s.equity}  cash ${s.cash}  realized ${s.realizedPnl}  unrealized ${s.unrealizedPnl}`,
      '',
    );
  }
  lines.push(`account   equity ${r.account.equity}  cash ${r.account.cash}`);
  return `${lines.join('\n')}\n`;
}
