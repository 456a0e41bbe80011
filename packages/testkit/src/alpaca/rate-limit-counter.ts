import type { Clock } from '@books/core';

/** The fake's account-wide limit: `perMinute` requests per epoch-minute window, as Alpaca's counter. */
export interface FakeRateLimit {
  readonly perMinute: number;
  /** The clock the minutes are counted on (default: the server's). */
  readonly clock?: Clock;
}

export interface RateWindowFigures {
  readonly start: Date;
  /** Requests answered normally in the window. */
  readonly admitted: number;
  /** Requests refused with 429. */
  readonly refused: number;
}

export interface RateLimitFigures {
  readonly perMinute: number;
  readonly windows: readonly RateWindowFigures[];
  /** Requests (admitted and refused) per caller, as its User-Agent names it ('unknown' without one). */
  readonly byCaller: ReadonlyMap<string, number>;
  /** The most requests admitted in one window. */
  readonly peakPerMinute: number;
  readonly refused: number;
}

const WINDOW_MS = 60_000;

/**
 * Counts requests per minute window and per caller; past `perMinute` in a window, refuses with
 * Alpaca's 429 headers. Every admitted answer carries X-RateLimit-Limit / Remaining / Reset.
 */
export class RateLimitCounter {
  private readonly windows = new Map<number, { admitted: number; refused: number }>();
  private readonly callers = new Map<string, number>();

  constructor(
    private readonly limit: FakeRateLimit,
    private readonly serverClock: Clock,
  ) {}

  admit(caller: string | undefined): { admitted: boolean; headers: Record<string, string> } {
    const now = (this.limit.clock ?? this.serverClock).now().getTime();
    const start = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    const w = this.windows.get(start) ?? { admitted: 0, refused: 0 };
    this.windows.set(start, w);
    const name = caller ?? 'unknown';
    this.callers.set(name, (this.callers.get(name) ?? 0) + 1);
    const admitted = w.admitted < this.limit.perMinute;
    if (admitted) w.admitted++;
    else w.refused++;
    return {
      admitted,
      headers: {
        'X-RateLimit-Limit': String(this.limit.perMinute),
        'X-RateLimit-Remaining': String(Math.max(0, this.limit.perMinute - w.admitted)),
        'X-RateLimit-Reset': String((start + WINDOW_MS) / 1000),
      },
    };
  }

  figures(): RateLimitFigures {
    const windows = [...this.windows]
      .sort(([a], [b]) => a - b)
      .map(([start, w]) => ({ start: new Date(start), ...w }));
    return {
      perMinute: this.limit.perMinute,
      windows,
      byCaller: new Map(this.callers),
      peakPerMinute: Math.max(0, ...windows.map((w) => w.admitted)),
      refused: windows.reduce((n, w) => n + w.refused, 0),
    };
  }
}
