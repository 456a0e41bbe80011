import { AlpacaKeysUnavailable } from '@books/alpaca';
import { type Clock, errorMessage, type Logger, TradingDate } from '@books/core';
import type { Bar } from './bar-store';
import { barOfRow, samePrices } from './daily-bar-row';
import type { DailyBarRow, MarketDataClient } from './market-data-client';
import { MarketDataRateLimited, MarketDataUnavailable } from './market-data-errors';
import type { WritableBarStore } from './writable-bar-store';

/** Where a symbol's history starts when the store has none. */
export const DEFAULT_HISTORY_START = TradingDate('2016-01-01');
/** Stored bars fetched again each run to notice restatements (split or dividend adjustments). */
export const DEFAULT_OVERLAP_BARS = 5;

export interface RefreshBarsInput {
  readonly store: WritableBarStore;
  readonly client: MarketDataClient;
  readonly symbols: readonly string[];
  /** The last trading date whose bar is complete (the refresh runs after the close). */
  readonly today: TradingDate;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly historyStart?: TradingDate;
  readonly overlapBars?: number;
}

export type RefreshOutcome = 'created' | 'appended' | 'unchanged' | 'restated' | 'failed';

export interface RejectedRow {
  readonly date: string;
  readonly problem: string;
}

export interface SymbolRefresh {
  readonly symbol: string;
  readonly outcome: RefreshOutcome;
  /** Rows written beyond what was stored (for `restated`/`created`: all rows written). */
  readonly added: number;
  /** Trading dates (seen for other symbols) on which this symbol has no bar, after its earlier history. */
  readonly gaps: readonly TradingDate[];
  /** Fetched rows that were not written, and why. */
  readonly rejected: readonly RejectedRow[];
  /** Why the stored history was replaced by a fresh download. */
  readonly restatement?: string;
  readonly error?: string;
}

export interface RefreshReport {
  readonly today: TradingDate;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly symbols: readonly SymbolRefresh[];
}

interface Plan {
  readonly symbol: string;
  readonly stored: readonly Bar[];
  /** First date fetched: a few stored bars back (overlap), or the history start. */
  readonly from: TradingDate;
  /** Set when the stored history was found restated and is downloaded again in full. */
  readonly restatement?: string;
}

interface Fetched {
  readonly plan: Plan;
  readonly bars: readonly Bar[];
  readonly rejected: readonly RejectedRow[];
  /** Whether `bars` replaces the stored history (new symbol or restatement). */
  readonly full: boolean;
}

/**
 * Brings every symbol's stored bars up to `today`, fetching only what is new.
 *
 * Per symbol: read the stored bars; fetch from `overlapBars` stored bars back (the whole history
 * from `historyStart` when nothing is stored). If a fetched bar of the overlap differs from the
 * stored one, or fills a hole in it, the data was restated (adjusted for a split or dividend):
 * the symbol's whole history is downloaded again and replaces the stored one. Newer rows are
 * appended. A row that is not a valid bar (bad number, non-positive close, low above high, not
 * after the previous row, dated after `today`) is rejected, reported, and never written.
 *
 * Gaps are judged against the calendar of every date seen, stored or fetched, across the symbols
 * of the run. Symbols fail alone: a read, fetch or write error is reported for that symbol only.
 * Symbols sharing a start date are fetched together in one multi-symbol request.
 */
export async function refreshBars(input: RefreshBarsInput): Promise<RefreshReport> {
  const startedAt = input.clock.now().toISOString();
  const overlap = Math.max(1, input.overlapBars ?? DEFAULT_OVERLAP_BARS);
  const historyStart = input.historyStart ?? DEFAULT_HISTORY_START;
  const failures = new Map<string, string>();

  const plans: Plan[] = [];
  for (const symbol of [...new Set(input.symbols)].sort()) {
    try {
      const stored = await input.store.bars(symbol);
      const from =
        stored.length === 0 ? historyStart : (stored[Math.max(0, stored.length - overlap)] as Bar).date;
      plans.push({ symbol, stored, from });
    } catch (e) {
      failures.set(symbol, `cannot read the stored bars: ${errorMessage(e)}`);
    }
  }

  const fetched = new Map<string, Fetched>();
  const restated: Plan[] = [];
  for (const [plan, rows] of await fetchGrouped(plans, input, failures)) {
    const { bars, rejected } = validRows(rows, input.today);
    const change = plan.stored.length === 0 ? undefined : restatementOf(plan.stored, bars, plan.from);
    if (change === undefined)
      fetched.set(plan.symbol, { plan, bars, rejected, full: plan.stored.length === 0 });
    else restated.push({ ...plan, from: (plan.stored[0] as Bar).date, restatement: change });
  }
  for (const [plan, rows] of await fetchGrouped(restated, input, failures)) {
    const { bars, rejected } = validRows(rows, input.today);
    fetched.set(plan.symbol, { plan, bars, rejected, full: true });
  }

  const calendar = new Set<TradingDate>();
  for (const f of fetched.values()) {
    for (const b of f.plan.stored) calendar.add(b.date);
    for (const b of f.bars) calendar.add(b.date);
  }
  const days = [...calendar].sort();

  const results: SymbolRefresh[] = [];
  for (const symbol of [...new Set(input.symbols)].sort()) {
    const f = fetched.get(symbol);
    const failure = failures.get(symbol);
    if (f === undefined || failure !== undefined) {
      results.push(failed(symbol, failure ?? 'not fetched'));
      continue;
    }
    results.push(await apply(f, days, input.store));
  }
  for (const r of results) log(input.logger, r);
  return { today: input.today, startedAt, finishedAt: input.clock.now().toISOString(), symbols: results };
}

async function fetchGrouped(
  plans: readonly Plan[],
  input: RefreshBarsInput,
  failures: Map<string, string>,
): Promise<[Plan, readonly DailyBarRow[]][]> {
  const groups = new Map<TradingDate, Plan[]>();
  for (const p of plans) groups.set(p.from, [...(groups.get(p.from) ?? []), p]);
  const out: [Plan, readonly DailyBarRow[]][] = [];
  for (const [from, group] of groups) {
    try {
      const rows = await input.client.dailyBars(
        group.map((p) => p.symbol),
        from,
        input.today,
      );
      for (const p of group) out.push([p, rows.get(p.symbol) ?? []]);
    } catch (e) {
      // One broken symbol must not sink the others: ask again one by one — unless the source
      // itself is down, rate limiting or unreachable without keys, when more requests would not help.
      if (
        group.length === 1 ||
        e instanceof MarketDataUnavailable ||
        e instanceof MarketDataRateLimited ||
        e instanceof AlpacaKeysUnavailable
      ) {
        for (const p of group) failures.set(p.symbol, `cannot fetch bars: ${errorMessage(e)}`);
        continue;
      }
      for (const p of group) {
        try {
          const rows = await input.client.dailyBars([p.symbol], from, input.today);
          out.push([p, rows.get(p.symbol) ?? []]);
        } catch (single) {
          failures.set(p.symbol, `cannot fetch bars: ${errorMessage(single)}`);
        }
      }
    }
  }
  return out;
}

function validRows(
  rows: readonly DailyBarRow[],
  today: TradingDate,
): { bars: Bar[]; rejected: RejectedRow[] } {
  const bars: Bar[] = [];
  const rejected: RejectedRow[] = [];
  for (const row of rows) {
    const previous = bars.at(-1)?.date;
    if (row.date > today) {
      rejected.push({ date: row.date, problem: `dated after ${today}` });
      continue;
    }
    if (previous !== undefined && row.date <= previous) {
      rejected.push({
        date: row.date,
        problem: row.date === previous ? 'duplicate bar' : `comes after ${previous}: dates must ascend`,
      });
      continue;
    }
    const made = barOfRow(row);
    if ('problem' in made) rejected.push({ date: row.date, problem: made.problem });
    else bars.push(made.bar);
  }
  return { bars, rejected };
}

/** Why the fetched overlap shows the stored history was restated; undefined when it agrees. */
function restatementOf(
  stored: readonly Bar[],
  fetched: readonly Bar[],
  from: TradingDate,
): string | undefined {
  const last = (stored.at(-1) as Bar).date;
  const byDate = new Map(stored.filter((b) => b.date >= from).map((b) => [b.date, b]));
  for (const f of fetched) {
    if (f.date > last) break;
    const s = byDate.get(f.date);
    if (s === undefined) return `${f.date}: a bar now exists where none was stored`;
    if (!samePrices(s, f))
      return `${f.date}: stored close ${s.closeText} (o/h/l ${s.open}/${s.high}/${s.low}), now ${f.closeText} (o/h/l ${f.open}/${f.high}/${f.low})`;
  }
  return undefined;
}

async function apply(
  f: Fetched,
  days: readonly TradingDate[],
  store: WritableBarStore,
): Promise<SymbolRefresh> {
  const { plan } = f;
  const last = plan.stored.at(-1)?.date;
  const isNew = (date: string) => f.full || last === undefined || date > last;
  const fresh = f.bars.filter((b) => isNew(b.date));
  const merged = f.full ? fresh : [...plan.stored, ...fresh];
  const base = {
    symbol: plan.symbol,
    rejected: f.rejected.filter((r) => isNew(r.date)),
    ...(plan.restatement === undefined ? {} : { restatement: plan.restatement }),
  };
  if (fresh.length === 0 && (f.full || plan.stored.length === 0)) {
    const error =
      plan.stored.length === 0
        ? 'the data source returned no bars'
        : 'the fresh download returned no bars; the stored bars are kept';
    return { ...base, outcome: 'failed', added: 0, gaps: [], error };
  }

  const held = new Set(merged.map((b) => b.date));
  const after = f.full ? (merged[0] as Bar).date : (last as TradingDate);
  const gaps = days.filter((d) => d > after && !held.has(d));
  const outcome: RefreshOutcome =
    plan.restatement !== undefined
      ? 'restated'
      : plan.stored.length === 0
        ? 'created'
        : fresh.length > 0
          ? 'appended'
          : 'unchanged';
  if (outcome === 'unchanged') return { ...base, outcome, added: 0, gaps };
  try {
    await store.putBars(plan.symbol, merged);
  } catch (e) {
    return { ...base, outcome: 'failed', added: 0, gaps, error: `cannot write the bars: ${errorMessage(e)}` };
  }
  return { ...base, outcome, added: fresh.length, gaps };
}

function failed(symbol: string, error: string): SymbolRefresh {
  return { symbol, outcome: 'failed', added: 0, gaps: [], rejected: [], error };
}

function log(logger: Logger, r: SymbolRefresh): void {
  const fields = {
    symbol: r.symbol,
    outcome: r.outcome,
    added: r.added,
    gaps: r.gaps,
    rejected: r.rejected,
    ...(r.restatement === undefined ? {} : { restatement: r.restatement }),
    ...(r.error === undefined ? {} : { error: r.error }),
  };
  if (r.outcome === 'failed') logger.error(fields, 'bars refresh failed');
  else if (r.outcome === 'restated' || r.gaps.length > 0 || r.rejected.length > 0)
    logger.warn(fields, 'bars refreshed with findings');
  else logger.info(fields, 'bars refreshed');
}
