import {
  Money,
  marketDateOf,
  marketTimeToInstant,
  notional,
  type RunId,
  runIdOf,
  type StrategyId,
  TradingDate,
} from '@books/core';
import {
  ActivityRepository,
  type ReconResult,
  readStoredPlan,
  type StrategyTrade,
} from '@books/ledger-client';
import type { RunCompleteness } from '@books/operator';
import { loadRunCompleteness } from '@books/operator';
import type { Services } from '@books/runtime';
import type { DayRecord, ReconDay } from '../replay/state';
import { dividendTotals } from './dividends';
import type {
  ReportBenchmark,
  ReportBreak,
  ReportData,
  ReportDay,
  ReportDividends,
  ReportRecon,
  ReportRun,
  ReportTrade,
} from './model';
import { withTraces } from './traces';

/**
 * Gathers a report's data from a stage's ledger: each day's run completeness, reconciliation
 * (unless the caller recorded it) and every strategy's trades in the range. Reads only.
 */

/** What the caller knows of one day before the ledger is read. */
export interface DayInput {
  readonly date: string;
  /** The account's equity at the close; when absent the report uses Σ book equities (and says so). */
  readonly accountEquity?: string;
  /** Per strategy: book equity at the close and Σ transfers into it so far. */
  readonly books: Readonly<Record<string, { readonly equity: string; readonly transfersTotal: string }>>;
  /** The reconciliation the replay recorded; absent: the day's latest stored reconciliation. */
  readonly recon?: ReconDay;
}

export interface CollectOptions {
  readonly stage: string;
  readonly strategyIds: readonly StrategyId[];
  readonly days: readonly DayInput[];
  /** For STUCK (a run not final after its close) and the report's timestamp. */
  readonly now: Date;
  readonly title: string;
  readonly subtitle: string;
  readonly notes?: readonly string[];
  /** The benchmark symbol, read from the stage's bar store (default SPY); none without a bar store. */
  readonly benchmark?: string;
}

/** The benchmark the report measures books against unless told otherwise. */
export const DEFAULT_BENCHMARK = 'SPY';

/** The replay's recorded days as report input. */
export function replayDayInputs(days: readonly DayRecord[]): DayInput[] {
  return days.map((d) => ({
    date: d.date,
    ...(d.accountEquity !== undefined ? { accountEquity: d.accountEquity } : {}),
    books: Object.fromEntries(
      Object.entries(d.strategies).map(([sid, s]) => [
        sid,
        { equity: s.equity, transfersTotal: s.transfersTotal },
      ]),
    ),
    recon: d.recon,
  }));
}

export async function collectReport(services: Services, options: CollectOptions): Promise<ReportData> {
  const notes = [...(options.notes ?? [])];
  if (options.days.some((d) => d.accountEquity === undefined))
    notes.push('account equity is Σ book equities on days recorded without the account’s equity');
  const previous = new Map<string, Money>();
  const days: ReportDay[] = [];
  for (const input of options.days) {
    const books: Record<string, { equity: string; flow: string }> = {};
    for (const [sid, b] of Object.entries(input.books)) {
      const transfers = Money.parse(b.transfersTotal);
      books[sid] = {
        equity: b.equity,
        flow: transfers.minus(previous.get(sid) ?? Money.ZERO).toString(),
      };
      previous.set(sid, transfers);
    }
    const accountEquity =
      input.accountEquity ??
      Money.sum(Object.values(input.books).map((b) => Money.parse(b.equity))).toString();
    const date = TradingDate(input.date);
    const [recon, run] = await Promise.all([
      input.recon ? Promise.resolve(fromReplayRecon(input.recon)) : storedRecon(services, date),
      loadRunCompleteness(services, runIdOf(options.stage, date), options.now),
    ]);
    days.push({
      date: input.date,
      accountEquity,
      books,
      recon,
      run: await withTraces(services, fromRun(runIdOf(options.stage, date), run)),
    });
  }
  const first = options.days[0]?.date;
  const last = options.days[options.days.length - 1]?.date;
  const trades =
    first !== undefined && last !== undefined
      ? await collectTrades(services, options.strategyIds, first, last)
      : [];
  const dividends =
    first !== undefined && last !== undefined
      ? await collectDividends(services, options.strategyIds, first, last)
      : undefined;
  const benchmark = await collectBenchmark(services, options.benchmark ?? DEFAULT_BENCHMARK, days);
  const controls = (await services.controlLedger.changes(50)).map(
    (c) => `${c.at} ${c.action} ${c.target} by ${c.by}: ${c.reason}`,
  );
  return {
    controls,
    title: options.title,
    subtitle: options.subtitle,
    generatedAt: options.now.toISOString(),
    strategies: options.strategyIds.map((s): string => s),
    days,
    trades,
    notes,
    ...(benchmark ? { benchmark } : {}),
    ...(dividends ? { dividends } : {}),
  };
}

/** The dividends paid from `first` to `last`: the ledger's broker activities and each book's share. */
async function collectDividends(
  services: Services,
  strategyIds: readonly StrategyId[],
  first: string,
  last: string,
): Promise<ReportDividends> {
  const [activities, books] = await Promise.all([
    new ActivityRepository(services.table, services.books).list(),
    Promise.all(
      strategyIds.map(async (sid) => ({
        strategyId: sid,
        activities: (await services.books.readBook(sid, { fills: [] }))?.activities ?? [],
      })),
    ),
  ]);
  return dividendTotals(activities, books, { first, last });
}

/** The benchmark's closes on the report's days from the bar store; undefined without bars of it. */
async function collectBenchmark(
  services: Services,
  symbol: string,
  days: readonly ReportDay[],
): Promise<ReportBenchmark | undefined> {
  const last = days[days.length - 1]?.date;
  if (!services.bars || last === undefined) return undefined;
  const bars = await services.bars.bars(symbol, last);
  if (bars.length === 0) return undefined;
  const closes = new Map(bars.map((b) => [b.date as string, b.closeText]));
  const first = days[0]?.date ?? last;
  const before = bars.filter((b) => b.date < first).pop();
  return {
    symbol,
    ...(before ? { previousClose: before.closeText } : {}),
    closes: days.map((d) => closes.get(d.date)),
  };
}

function fromReplayRecon(r: ReconDay): ReportRecon {
  return { status: r.ok ? 'MATCH' : 'BREAK', cashStatus: r.cashStatus, breaks: r.breaks };
}

/** The latest stored reconciliation of the day: MATCH when every symbol matches. */
async function storedRecon(services: Services, date: TradingDate): Promise<ReportRecon> {
  const stored = await services.recon.latest(date);
  return stored ? reconOf(stored) : { status: 'NONE', breaks: [] };
}

export function reconOf(r: ReconResult): ReportRecon {
  const breaks = r.entries
    .filter((e) => e.status !== 'MATCH')
    .map(
      (e): ReportBreak => ({
        symbol: e.symbol,
        status: e.status,
        unexplained: e.brokerQty.minus(e.booksQty).toString(),
        strategies: e.byStrategy.filter((b) => !b.qty.isZero()).map((b): string => b.strategyId),
      }),
    );
  return { status: breaks.length === 0 ? 'MATCH' : 'BREAK', breaks };
}

function fromRun(runId: string, run: RunCompleteness | undefined): ReportRun {
  if (!run) return { runId, runStatus: 'NO RUN', completeness: 'NO RUN', strategies: [], missing: [] };
  return {
    runId: run.runId,
    runStatus: run.runStatus,
    completeness: run.status,
    strategies: run.strategies.map((s) => ({
      strategyId: s.strategyId,
      status: s.status,
      ...(s.reason !== undefined ? { reason: s.reason } : {}),
      orders: s.trades.filter((t) => t.state !== 'SUPPRESSED').length,
      finalOrders: s.trades.filter((t) => t.state !== 'SUPPRESSED' && t.final).length,
      suppressed: s.trades.filter((t) => t.state === 'SUPPRESSED').length,
    })),
    missing: run.missing,
  };
}

/** Every strategy's trades filled from `first` 00:00 to `last` 23:59 New York, in fill order. */
export async function collectTrades(
  services: Services,
  strategyIds: readonly StrategyId[],
  first: string,
  last: string,
): Promise<ReportTrade[]> {
  const range = {
    from: marketTimeToInstant(first, '00:00').toISOString(),
    to: marketTimeToInstant(last, '23:59').toISOString(),
  };
  const all = (
    await Promise.all(strategyIds.map((sid) => services.trades.listByStrategy(sid, range)))
  ).flat();
  all.sort((a, b) =>
    a.filledAt < b.filledAt ? -1 : a.filledAt > b.filledAt ? 1 : a.strategyId < b.strategyId ? -1 : 1,
  );
  const planPrices = await plannedPrices(services, all);
  return all.map((t) => ({
    filledAt: t.filledAt,
    date: marketDateOf(new Date(t.filledAt)),
    strategyId: t.strategyId,
    side: t.side,
    symbol: t.symbol,
    qty: t.filledQty.toString(),
    price: t.fillPrice.toString(),
    value: notional(t.filledQty, t.fillPrice).toCents().value.toFixed(2),
    fees: t.fees.toCents().value.toFixed(2),
    runId: t.runId,
    ...(planPrices.has(t.clientOrderId) ? { planPrice: planPrices.get(t.clientOrderId) } : {}),
  }));
}

/** The price each trade's plan used, by client order id, from the stored plans of the trades' runs. */
async function plannedPrices(
  services: Services,
  trades: readonly StrategyTrade[],
): Promise<Map<string, string>> {
  const plans = new Map<string, { runId: RunId; strategyId: StrategyId }>();
  for (const t of trades)
    plans.set(`${t.runId} ${t.strategyId}`, { runId: t.runId, strategyId: t.strategyId });
  const out = new Map<string, string>();
  for (const { runId, strategyId } of plans.values()) {
    const plan = await readStoredPlan(services.table, runId, strategyId);
    for (const p of [...(plan?.sells ?? []), ...(plan?.buys ?? [])])
      out.set(p.clientOrderId, p.price.toString());
  }
  return out;
}
