import { TradingDate } from './ids';

/** The exchange's time zone: every schedule, calendar time and trading date is in it. */
export const MARKET_TIME_ZONE = 'America/New_York';

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The last wall clock read per time zone: a simulated clock asks for the same instant many times. */
const lastWallClock = new Map<string, { readonly ms: number; readonly wall: WallClock }>();

function wallClock(instant: Date, timeZone: string): WallClock {
  const ms = instant.getTime();
  const last = lastWallClock.get(timeZone);
  if (last?.ms === ms) return last.wall;
  const wall = readWallClock(instant, timeZone);
  lastWallClock.set(timeZone, { ms, wall });
  return wall;
}

function readWallClock(instant: Date, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** The trading date (exchange-local calendar date) of an instant. */
export function marketDateOf(instant: Date, timeZone = MARKET_TIME_ZONE): TradingDate {
  const w = wallClock(instant, timeZone);
  return TradingDate(`${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`);
}

/**
 * The UTC instant of a wall-clock time on a date in the exchange's zone, DST included
 * (e.g. 2026-03-09 16:00 ET = 20:00Z, 2026-11-24 16:00 ET = 21:00Z).
 */
export function marketTimeToInstant(date: string, time: string, timeZone = MARKET_TIME_ZONE): Date {
  const match = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!match) throw new RangeError(`invalid wall-clock time "${time}" (expected HH:MM)`);
  const [, hh, mm, ss] = match;
  const asUtc = Date.parse(`${date}T${hh}:${mm}:${ss ?? '00'}Z`);
  if (Number.isNaN(asUtc)) throw new RangeError(`invalid date "${date}"`);
  // Two passes converge for every zone offset change that is not inside the skipped hour.
  let guess = asUtc;
  for (let i = 0; i < 2; i++) {
    const w = wallClock(new Date(guess), timeZone);
    const seen = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
    guess += asUtc - seen;
  }
  return new Date(guess);
}

/**
 * Minutes east of UTC of the exchange's zone at `instant` (−300 in New York winter, −240 in summer),
 * e.g. to write a timestamp with its New York offset as Alpaca does ("…-05:00").
 */
export function marketOffsetMinutes(instant: Date, timeZone = MARKET_TIME_ZONE): number {
  const w = wallClock(instant, timeZone);
  const wallAsUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((wallAsUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

const HHMM = /^([01]\d|2[0-3]):?([0-5]\d)$/;

/** A wall-clock time as "HH:MM" from "HH:MM" or "HHMM" (Alpaca's calendar writes both); throws on anything else. */
export function normaliseHhmm(text: string): string {
  const m = HHMM.exec(text);
  if (!m) throw new RangeError(`"${text}" is not a time HH:MM`);
  return `${m[1]}:${m[2]}`;
}
