import { TradingDate } from '@books/core';

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

/** CSV text (`date,open,high,low,close,volume`, prices to the cent) per symbol. */
export function generateSampleBars(
  days: readonly TradingDate[],
  symbols: readonly SampleSymbol[] = SAMPLE_SYMBOLS,
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
      lines.push([day, open.toFixed(2), high.toFixed(2), low.toFixed(2), close.toFixed(2), volume].join(','));
    }
    files.set(spec.symbol, `${lines.join('\n')}\n`);
  }
  return files;
}
