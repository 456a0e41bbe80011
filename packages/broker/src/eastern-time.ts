import type { TradingDate } from '@books/core';

const offsetFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  timeZoneName: 'shortOffset',
});

/** Minutes east of UTC of America/New_York at `instant` (−300 in winter, −240 in summer). */
function easternOffsetMinutes(instant: Date): number {
  const name = offsetFormat.formatToParts(instant).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const m = /^GMT([+-])(\d{1,2})(?::(\d{2}))?$/.exec(name);
  if (!m) throw new Error(`cannot read the America/New_York offset from "${name}"`);
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? '0');
  return m[1] === '-' ? -minutes : minutes;
}

const HHMM = /^([01]\d|2[0-3]):?([0-5]\d)$/;

/** Normalises "0930" or "09:30" to "09:30"; throws on anything else. */
export function normaliseHhmm(text: string): string {
  const m = HHMM.exec(text);
  if (!m) throw new RangeError(`"${text}" is not a time HH:MM`);
  return `${m[1]}:${m[2]}`;
}

/** The UTC instant of a wall-clock time in New York on a date (trading hours are never in a DST gap). */
export function easternToUtc(date: TradingDate, hhmm: string): Date {
  const [h, mi] = normaliseHhmm(hhmm).split(':').map(Number);
  const [y, mo, d] = date.split('-').map(Number);
  const wallAsUtc = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0);
  const first = wallAsUtc - easternOffsetMinutes(new Date(wallAsUtc)) * 60_000;
  return new Date(wallAsUtc - easternOffsetMinutes(new Date(first)) * 60_000);
}

/** The New York calendar date of an instant. */
export function easternDate(instant: Date): string {
  const local = new Date(instant.getTime() + easternOffsetMinutes(instant) * 60_000);
  return local.toISOString().slice(0, 10);
}

export const REGULAR_CLOSE = '16:00';
