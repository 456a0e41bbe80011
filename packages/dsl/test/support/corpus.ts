/** A corpus case: a strategy, tiny bars and the weights (or error code) expected per date. */
export interface CorpusCase {
  readonly name: string;
  readonly description: string;
  readonly strategy: string;
  readonly bars: Readonly<Record<string, string>>;
  readonly expect: Readonly<Record<string, { readonly error: string } | Readonly<Record<string, number>>>>;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Parses a case file's JSON, rejecting anything that is not a well-formed case. */
export function parseCase(name: string, json: unknown): CorpusCase {
  const bad = (why: string) => new Error(`corpus case ${name}: ${why}`);
  if (!isRecord(json)) throw bad('not an object');
  const { description, strategy, bars, expect } = json;
  if (typeof description !== 'string' || typeof strategy !== 'string') throw bad('description/strategy');
  if (!isRecord(bars) || !Object.values(bars).every((b) => typeof b === 'string')) throw bad('bars');
  if (!isRecord(expect)) throw bad('expect');
  const byDate: Record<string, { error: string } | Record<string, number>> = {};
  for (const [date, want] of Object.entries(expect)) {
    if (!isRecord(want)) throw bad(`expect.${date}`);
    if (typeof want.error === 'string') byDate[date] = { error: want.error };
    else {
      const weights: Record<string, number> = {};
      for (const [s, w] of Object.entries(want)) {
        if (typeof w !== 'number') throw bad(`expect.${date}.${s}`);
        weights[s] = w;
      }
      byDate[date] = weights;
    }
  }
  return { name, description, strategy, bars: bars as Record<string, string>, expect: byDate };
}
