import {
  EXTERNAL,
  LEGACY,
  marketTimeToInstant,
  runIdOf,
  type StrategyId,
  Symbol,
  type TradingDate,
} from '@books/core';
import { bookAt, fillSummary, intentSummaries, readStoredPlan } from '@books/ledger-client';
import { closingPrices } from '@books/market-data';
import { type Book, valueBook } from '@books/portfolio';
import type { Services } from '@books/runtime';
import { type Observation, STRATEGY_SUBJECT } from './alerts';
import type { BookDigestInput, DigestInput, EquityPoint } from './digest';

/**
 * Where the digest's controls come from besides the flow flags: the trader controls (pause, halt,
 * limits) of a stage that has them. The seam for them: absent, only the flow flags are shown.
 */
export interface ControlsSource {
  controls(): Promise<readonly { readonly label: string; readonly value: string }[]>;
}

/** The bases of the digest's P&L periods for `date` (calendar days: the closes on or before them). */
export function periodBases(date: string): { day: string; month: string; year: string } {
  const d = new Date(`${date}T00:00:00Z`);
  const dayBefore = new Date(d.getTime() - 86_400_000).toISOString().slice(0, 10);
  const monthEnd = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 0)).toISOString().slice(0, 10);
  const yearEnd = `${d.getUTCFullYear() - 1}-12-31`;
  return { day: dayBefore, month: monthEnd, year: yearEnd };
}

/**
 * The digest's input for a stage's run of `date`, read from the ledger (the run's items, plans,
 * trades, books, the day's latest reconciliation), the broker (today's prices) and the bars (the
 * bases' closes). Every book of the run, EXTERNAL never (it is not a strategy's).
 */
export async function collectDigestInput(
  services: Services,
  date: TradingDate,
  options: { readonly controls?: ControlsSource } = {},
): Promise<DigestInput> {
  const stage = services.env.BOOKS_STAGE;
  const runId = runIdOf(stage, date);
  const run = await services.runs.listRunItems(runId);
  const flags = await services.flows.read();
  const closes = services.bars ? closingPrices(services.bars) : undefined;
  const bases = periodBases(date);
  const books: BookDigestInput[] = [];
  for (const item of run?.strategies ?? []) {
    const sid = item.strategyId;
    if (sid === EXTERNAL) continue;
    const day = {
      from: marketTimeToInstant(date, '00:00').toISOString(),
      to: marketTimeToInstant(date, '23:59').toISOString(),
    };
    const plan = await readStoredPlan(services.table, runId, sid);
    const fills = await services.trades.listBookFills(sid, day);
    const flow = flags.get(sid);
    books.push({
      strategyId: sid,
      status: item.status,
      ...(item.error ? { error: item.error } : {}),
      ...(flow ? { flowOverride: flow } : {}),
      targets: Object.entries(plan?.weights ?? {}).map(([symbol, w]) => ({ symbol, weight: w.toString() })),
      trades: intentSummaries(run?.intents ?? [], sid),
      fills: fills.map(fillSummary),
      ...(sid === LEGACY ? {} : { valuation: await valuationOf(services, sid, date, bases, closes) }),
    });
  }
  const recon = await services.recon.latest(date);
  const breaks = (recon?.entries ?? [])
    .filter((e) => e.status !== 'MATCH')
    .map((e) => ({
      subject: e.symbol as string,
      status: e.status as string,
      detail: `broker ${e.brokerQty}, books ${e.booksQty}`,
    }));
  const controls = [
    ...[...flags].map(([sid, flow]) => ({ label: `flow of ${sid}`, value: flow })),
    ...((await options.controls?.controls()) ?? []),
  ];
  return {
    stage,
    date,
    runId,
    runStatus: run?.meta.status ?? 'NO RUN',
    books,
    breaks,
    controls:
      controls.length > 0 ? controls : [{ label: 'flow flags', value: 'none (each strategy as configured)' }],
  };
}

async function valuationOf(
  services: Services,
  sid: StrategyId,
  date: TradingDate,
  bases: { day: string; month: string; year: string },
  closes: ReturnType<typeof closingPrices> | undefined,
): Promise<NonNullable<BookDigestInput['valuation']>> {
  const [stored, trades] = await Promise.all([
    services.books.readBook(sid),
    services.trades.listByStrategy(sid),
  ]);
  const transfers = stored?.transfers ?? [];
  const postings = (stored?.activities ?? []).map((a) => a.posting);
  const now = bookAt(sid, trades, transfers, postings, marketTimeToInstant(date, '23:59').toISOString());
  const held = heldSymbols(now.book);
  const quotes = await services.broker.getLatestPrices(held.map((s) => Symbol(s)));
  const valuedNow = valueBook(now.book, new Map([...quotes].map(([s, q]) => [s, q.price])));
  const at = async (base: string): Promise<EquityPoint | undefined> => {
    if (!closes) return undefined;
    const then = bookAt(sid, trades, transfers, postings, marketTimeToInstant(base, '23:59').toISOString());
    const equity = valueBook(then.book, await closes(heldSymbols(then.book), base)).equity;
    return { equity: equity.toString(), transfers: then.transfersTotal.toString() };
  };
  const [day, month, year] = await Promise.all([at(bases.day), at(bases.month), at(bases.year)]);
  return {
    now: { equity: valuedNow.equity.toString(), transfers: now.transfersTotal.toString() },
    cash: valuedNow.cash.toString(),
    bases: { ...(day ? { day } : {}), ...(month ? { month } : {}), ...(year ? { year } : {}) },
  };
}

function heldSymbols(book: Book): string[] {
  return [...new Set(book.lots.map((l) => l.symbol as string))];
}

/**
 * What the run of `date` shows of each alert subject: every strategy of the run (`strategy:{sid}`,
 * failing when its status is FAILED) and the account's reconciliation (`reconciliation`, failing
 * when the day's latest result has a break).
 */
export async function observeRun(services: Services, date: TradingDate): Promise<Observation[]> {
  const run = await services.runs.listRunItems(runIdOf(services.env.BOOKS_STAGE, date));
  const out: Observation[] = (run?.strategies ?? []).map((s) => ({
    subject: `${STRATEGY_SUBJECT}${s.strategyId}`,
    failing: s.status === 'FAILED',
    detail: s.error ?? s.status,
  }));
  const recon = await services.recon.latest(date);
  if (recon) {
    const breaks = recon.entries.filter((e) => e.status !== 'MATCH');
    out.push({
      subject: 'reconciliation',
      failing: breaks.length > 0,
      detail:
        breaks.length > 0
          ? breaks
              .map((b) => `${b.status} ${b.symbol} (broker ${b.brokerQty}, books ${b.booksQty})`)
              .join('; ')
          : 'every position explained',
    });
  }
  return out;
}
