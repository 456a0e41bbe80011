import { marketOffsetMinutes } from '@books/core';

/** ISO 8601 with the New York offset, as Alpaca writes clock timestamps ("…-05:00"). */
export function nyIso(instant: Date): string {
  const off = marketOffsetMinutes(instant);
  const local = new Date(instant.getTime() + off * 60_000).toISOString().slice(0, 19);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
