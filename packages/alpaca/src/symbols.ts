import { Symbol } from '@books/core';

/**
 * The one mapping between our symbols and Alpaca's, for the Trading API and Market Data alike.
 *
 * Ours write a share class with a slash, as Composer strategies and the bar files' names do
 * (`BRK/B`, stored as `BRK.B.csv`); Alpaca writes it with a dot in both APIs (`BRK.B`: assets,
 * orders, positions, bars, trades). So `/` ↔ `.`, and nothing else changes (`BF-B` stays).
 * A symbol already written with a dot is sent as it is and comes back with a slash: `BRK/B` is
 * the one spelling the books, the ledger and the reconciler see.
 *
 * Only equity symbols go through here: a crypto pair such as `ETH/USD` is never ours (rows of
 * other asset classes are kept out by class before any symbol is read).
 */
export function toAlpacaSymbol(symbol: string): string {
  return symbol.toUpperCase().replace(/\//g, '.');
}

/** Alpaca's equity symbol as ours (`BRK.B` → `BRK/B`). Throws RangeError when it is not a ticker. */
export function fromAlpacaSymbol(alpacaSymbol: string): Symbol {
  return Symbol(alpacaSymbol.replace(/\./g, '/'));
}

/**
 * Alpaca's spelling → the caller's, for the symbols of one request: an answer keyed by Alpaca's
 * symbols is handed back under exactly the symbols the caller asked for.
 */
export function requestedByAlpacaSymbol<S extends string>(symbols: Iterable<S>): Map<string, S> {
  const map = new Map<string, S>();
  for (const s of symbols) map.set(toAlpacaSymbol(s), s);
  return map;
}
