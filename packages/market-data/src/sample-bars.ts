import { TradingDate } from '@books/core';
import { type CorporateActions, CorporateActionsSchema } from './corporate-actions';

/**
 * Deterministic synthetic daily bars for the example strategies: geometric random walks from a
 * seeded generator, so every machine produces byte-identical files. Not real prices.
 */
export interface SampleSymbol {
  readonly symbol: string;
  readonly start: number;
  /** Annualised drift and volatility of the walk. */
  readonly drift: number;
  readonly volatility: number;
}

export const SAMPLE_SYMBOLS: readonly SampleSymbol[] = [
  { symbol: 'SPY', start: 380, drift: 0.09, volatility: 0.17 },
  { symbol: 'QQQ', start: 270, drift: 0.12, volatility: 0.24 },
  { symbol: 'TLT', start: 105, drift: -0.01, volatility: 0.15 },
  { symbol: 'IEF', start: 98, drift: 0.01, volatility: 0.07 },
  { symbol: 'GLD', start: 170, drift: 0.07, volatility: 0.14 },
  { symbol: 'BIL', start: 91.5, drift: 0.045, volatility: 0.004 },
];

/**
 * The sample corporate actions and account cash events (`corporate-actions.json` beside the sample
 * bars), all after mid-2025 so data ranges that end earlier are untouched: a dividend on SPY, a 2:1
 * split of QQQ, a 1:10 reverse split of TLT, a deposit and a withdrawal. Dated so that a replay of
 * the example strategies over the default sample window (2025-07-30 → 2025-11-17) holds SPY at the
 * dividend's ex date, QQQ at the forward split and TLT at the reverse split (their books' fractional
 * lots are split; Alpaca issues a split's fractions and pays no cash in lieu), and the withdrawal
 * is no more than the pool holds then.
 */
// Pure: a bundle that never uses the sample (a Lambda's) drops it, and the parse at its load.
export const SAMPLE_CORPORATE_ACTIONS: CorporateActions = /* @__PURE__ */ CorporateActionsSchema.parse({
  dividends: [
    {
      symbol: 'SPY',
      exDate: '2025-09-19',
      recordDate: '2025-09-19',
      payDate: '2025-10-31',
      amountPerShare: '1.75',
    },
  ],
  splits: [
    { symbol: 'QQQ', exDate: '2025-08-20', from: '1', to: '2' },
    { symbol: 'TLT', exDate: '2025-08-25', from: '10', to: '1' },
  ],
  cash: [
    { date: '2025-08-01', type: 'deposit', amount: '10000' },
    { date: '2025-11-14', type: 'withdrawal', amount: '1000' },
  ],
});

/** The sample actions that fall within `days` (none for a range that ends before them). */
export function sampleCorporateActions(days: readonly TradingDate[]): CorporateActions {
  const first = days[0] ?? '';
  const last = days.at(-1) ?? '';
  const within = (d: string) => d >= first && d <= last;
  const a = SAMPLE_CORPORATE_ACTIONS;
  return {
    dividends: a.dividends.filter((d) => within(d.exDate) && within(d.payDate)),
    splits: a.splits.filter((x) => within(x.exDate)),
    cash: a.cash.filter((c) => within(c.date)),
  };
}

/** NYSE full-day closures in the sample range (weekends are skipped separately). */
const HOLIDAYS = new Set([
  '2023-01-02',
  '2023-01-16',
  '2023-02-20',
  '2023-04-07',
  '2023-05-29',
  '2023-06-19',
  '2023-07-04',
  '2023-09-04',
  '2023-11-23',
  '2023-12-25',
  '2024-01-01',
  '2024-01-15',
  '2024-02-19',
  '2024-03-29',
  '2024-05-27',
  '2024-06-19',
  '2024-07-04',
  '2024-09-02',
  '2024-11-28',
  '2024-12-25',
  '2025-01-01',
  '2025-01-09',
  '2025-01-20',
  '2025-02-17',
  '2025-04-18',
  '2025-05-26',
  '2025-06-19',
  '2025-07-04',
  '2025-09-01',
  '2025-11-27',
  '2025-12-25',
]);

export function sampleTradingDays(from: string, to: string): TradingDate[] {
  const days: TradingDate[] = [];
  for (
    let d = new Date(`${from}T00:00:00Z`);
    d <= new Date(`${to}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 1)
  ) {
    const iso = d.toISOString().slice(0, 10);
    const weekday = d.getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !HOLIDAYS.has(iso)) days.push(TradingDate(iso));
  }
  return days;
}

/** mulberry32: a small, well-distributed 32-bit generator. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function seedOf(symbol: string): number {
  let h = 2166136261;
  for (const c of symbol) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

/**
 * CSV text (`date,open,high,low,close,volume`, prices to the cent) per symbol. The bars are raw,
 * as traded: from a split's ex date on, prices are multiplied by `from / to` (and volumes by
 * `to / from`), so the split shows in the series exactly as it would in real data.
 */
export function generateSampleBars(
  days: readonly TradingDate[],
  symbols: readonly SampleSymbol[] = SAMPLE_SYMBOLS,
  actions: CorporateActions = SAMPLE_CORPORATE_ACTIONS,
): Map<string, string> {
  const files = new Map<string, string>();
  for (const spec of symbols) {
    const random = seeded(seedOf(spec.symbol));
    const dt = 1 / 252;
    let close = spec.start;
    const lines = ['date,open,high,low,close,volume'];
    for (const day of days) {
      const open = close * (1 + normal(random) * spec.volatility * Math.sqrt(dt) * 0.3);
      close =
        close *
        Math.exp(
          (spec.drift - 0.5 * spec.volatility ** 2) * dt + spec.volatility * Math.sqrt(dt) * normal(random),
        );
      const high = Math.max(open, close) * (1 + random() * spec.volatility * 0.02);
      const low = Math.min(open, close) * (1 - random() * spec.volatility * 0.02);
      const volume = Math.round(1_000_000 + random() * 9_000_000);
      let raw = 1;
      for (const split of actions.splits)
        if (split.symbol === spec.symbol && day >= split.exDate) raw *= Number(split.from) / Number(split.to);
      const px = (v: number) => (v * raw).toFixed(2);
      lines.push([day, px(open), px(high), px(low), px(close), Math.round(volume / raw)].join(','));
    }
    files.set(spec.symbol, `${lines.join('\n')}\n`);
  }
  return files;
}
