import {
  Decimal,
  deferredSchema,
  lazySchema,
  SymbolSchema,
  type TradingDate,
  TradingDateSchema,
} from '@books/core';
import * as z from 'zod';
import { type Bar, BarFileError, type BarStore } from './bar-store';

/**
 * The corporate actions and account cash events beside the bars: `corporate-actions.json` in the
 * bars directory or S3 prefix. Bars stay raw (unadjusted, as traded); this file says how to
 * adjust them (indicators) and what a simulated broker pays, splits and moves on each date.
 *
 * - dividend: cash `amountPerShare` on `payDate` for each share held at the close before `exDate`
 *   (the record date is kept as information; settlement is T+1, so holders before ex are holders
 *   of record);
 * - split: from `exDate` on, `to` new shares for every `from` old (2:1 forward: from 1, to 2;
 *   1:10 reverse: from 10, to 1); a fraction of a new share is paid in cash at the ex date's close;
 * - cash: a deposit (+) or withdrawal (−) of the account on `date`.
 */
export const CORPORATE_ACTIONS_FILE = 'corporate-actions.json';

/**
 * The file's schemas, built at their first parse (deferredSchema, lazySchema): every function's
 * bundle holds this module, and only a simulated broker or a bar store reading the file parses it.
 */
const decimal = lazySchema(() =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'expected a non-negative decimal string')
    .refine((v) => new Decimal(v).gt(0), 'must be positive'),
);
const date = TradingDateSchema;
const symbol = SymbolSchema;

export const DividendActionSchema = deferredSchema(() =>
  z.strictObject({
    symbol,
    exDate: date,
    recordDate: date,
    payDate: date,
    amountPerShare: decimal(),
  }),
);
export const SplitActionSchema = deferredSchema(() =>
  z.strictObject({
    symbol,
    exDate: date,
    /** Old shares … */
    from: decimal(),
    /** … become this many new shares. */
    to: decimal(),
  }),
);
export const CashEventSchema = deferredSchema(() =>
  z.strictObject({
    date,
    type: z.enum(['deposit', 'withdrawal']),
    amount: decimal(),
  }),
);

export const CorporateActionsSchema = deferredSchema(() =>
  z.strictObject({
    dividends: z.array(DividendActionSchema.unwrap()).default([]),
    splits: z.array(SplitActionSchema.unwrap()).default([]),
    cash: z.array(CashEventSchema.unwrap()).default([]),
  }),
);

export type DividendAction = z.output<typeof DividendActionSchema>;
export type SplitAction = z.output<typeof SplitActionSchema>;
export type CashEvent = z.output<typeof CashEventSchema>;
export type CorporateActions = z.output<typeof CorporateActionsSchema>;

export const NO_CORPORATE_ACTIONS: CorporateActions = { dividends: [], splits: [], cash: [] };

/** Whatever holds the corporate-actions file beside the bars (both bar stores). */
export interface CorporateActionsSource {
  /** The file's actions; none when the file is absent. Throws BarFileError when it is malformed. */
  corporateActions(): Promise<CorporateActions>;
}

/** Parses the file's text; a malformed file is rejected whole, naming the field. */
export function parseCorporateActions(text: string, file: string): CorporateActions {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new BarFileError(file, undefined, 'not JSON', { cause: e });
  }
  const parsed = CorporateActionsSchema.safeParse(raw);
  if (!parsed.success)
    throw new BarFileError(
      file,
      undefined,
      parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; '),
    );
  for (const d of parsed.data.dividends) {
    if (!(d.recordDate >= d.exDate && d.payDate >= d.exDate))
      throw new BarFileError(
        file,
        undefined,
        `dividend ${d.symbol} ${d.exDate}: record and pay dates must not precede the ex date`,
      );
  }
  return parsed.data;
}

/** The file's canonical text (stable order), as the sample generator writes it. */
export function formatCorporateActions(actions: CorporateActions): string {
  return `${JSON.stringify(actions, null, 2)}\n`;
}

/**
 * Split-adjusted bars, for indicators: every price before a split's ex date is multiplied by
 * `from / to` (volumes by `to / from`), so a 2:1 split reads as no move at all. Dividends are not
 * adjusted for (a documented choice: the project's indicators are price-trend signals, and
 * total-return adjustment would move every past close at each payment). `closeText` keeps the
 * raw close only when no adjustment applies; otherwise it is the adjusted close's decimal text.
 */
export function splitAdjusted(bars: readonly Bar[], splits: readonly SplitAction[]): readonly Bar[] {
  if (splits.length === 0 || bars.length === 0) return bars;
  const ordered = [...splits].sort((a, b) => a.exDate.localeCompare(b.exDate));
  return bars.map((bar) => {
    let factor = new Decimal(1);
    for (const s of ordered) if (bar.date < s.exDate) factor = factor.times(s.from).dividedBy(s.to);
    if (factor.eq(1)) return bar;
    const f = factor.toNumber();
    const close = new Decimal(bar.closeText).times(factor);
    return {
      date: bar.date,
      open: bar.open * f,
      high: bar.high * f,
      low: bar.low * f,
      close: close.toNumber(),
      closeText: close.toDecimalPlaces(6).toFixed(),
      volume: bar.volume / f,
    };
  });
}

/** The splits of one symbol. */
export function splitsOf(actions: CorporateActions, symbol: string): readonly SplitAction[] {
  return actions.splits.filter((s) => s.symbol === symbol);
}

/** The actions that take effect on `day` (dividends on their pay date, splits on their ex date). */
export function actionsOn(actions: CorporateActions, day: TradingDate | string): CorporateActions {
  return {
    dividends: actions.dividends.filter((d) => d.payDate === day),
    splits: actions.splits.filter((s) => s.exDate === day),
    cash: actions.cash.filter((c) => c.date === day),
  };
}

/** Whether a bar store also reads the corporate-actions file beside its bars. */
export function hasCorporateActions(store: object): store is CorporateActionsSource {
  return 'corporateActions' in store && typeof store.corporateActions === 'function';
}

/**
 * The bars indicators read: `store`'s raw bars split-adjusted with the actions of `source` (see
 * `splitAdjusted`). Accounting, fills and valuation read the raw store, never this one.
 */
export function splitAdjustedBars(store: BarStore, source: CorporateActionsSource): BarStore {
  return {
    async bars(symbol, until) {
      const [bars, actions] = await Promise.all([store.bars(symbol, until), source.corporateActions()]);
      return splitAdjusted(bars, splitsOf(actions, symbol.toUpperCase()));
    },
    calendar: (until) => store.calendar(until),
    symbols: () => store.symbols(),
  };
}
