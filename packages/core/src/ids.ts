import { createHash } from 'node:crypto';
import * as z from 'zod';
import { BooksError } from './errors';

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export class InvalidIdError extends BooksError {
  static override readonly errorName: string = 'InvalidIdError';
  constructor(kind: string, value: unknown, rule: string) {
    super('INVALID_ID', `invalid ${kind} ${JSON.stringify(value)}: ${rule}`, { kind, value });
  }
}

function brander<B extends string>(kind: B, pattern: RegExp, rule: string) {
  const parse = (value: string): Brand<string, B> => {
    if (!pattern.test(value)) throw new InvalidIdError(kind, value, rule);
    return value as Brand<string, B>;
  };
  const schema = z
    .string()
    .regex(pattern, rule)
    .transform((v) => v as Brand<string, B>);
  return { parse, schema };
}

export type StrategyId = Brand<string, 'StrategyId'>;
const strategyId = brander(
  'StrategyId',
  /^(?:[a-z0-9][a-z0-9_-]{0,62}|EXTERNAL|LEGACY)$/,
  'lower-case letters, digits, "_" and "-", at most 63 characters',
);
export const StrategyId = strategyId.parse;
export const StrategyIdSchema = strategyId.schema;
/** The reserved owner of broker positions that no book explains. */
export const EXTERNAL: StrategyId = StrategyId('EXTERNAL');
/** The merged book of the legacy flow. */
export const LEGACY: StrategyId = StrategyId('LEGACY');

export type RunId = Brand<string, 'RunId'>;
const runId = brander(
  'RunId',
  /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/,
  'letters, digits, "_", ".", ":" and "-"',
);
export const RunId = runId.parse;
export const RunIdSchema = runId.schema;

/** The run of a stage's trading day: one run per stage and date (`{stage}-{date}`). */
export function runIdOf(stage: string, date: TradingDate): RunId {
  return RunId(`${stage}-${date}`);
}

export type ClientOrderId = Brand<string, 'ClientOrderId'>;
// Alpaca: at most 128 characters.
const clientOrderId = brander(
  'ClientOrderId',
  /^[A-Za-z0-9_.:-]{1,128}$/,
  'at most 128 letters, digits, "_", ".", ":" and "-"',
);
export const ClientOrderId = clientOrderId.parse;
export const ClientOrderIdSchema = clientOrderId.schema;

export type Symbol = Brand<string, 'Symbol'>;
// Upper-case tickers with share-class separators: BRK/B, BRK.B, BF-B.
const symbol = brander(
  'Symbol',
  /^[A-Z][A-Z0-9]{0,9}(?:[./-][A-Z0-9]{1,5})?$/,
  'an upper-case ticker such as SPY or BRK/B',
);
export const Symbol = symbol.parse;
export const SymbolSchema = symbol.schema;

export type TradingDate = Brand<string, 'TradingDate'>;
const tradingDate = brander(
  'TradingDate',
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/,
  'a date YYYY-MM-DD',
);
export function TradingDate(value: string): TradingDate {
  const d = tradingDate.parse(value);
  const probe = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(probe.getTime()) || probe.toISOString().slice(0, 10) !== value) {
    throw new InvalidIdError('TradingDate', value, 'not a calendar date');
  }
  return d;
}
export const TradingDateSchema = z.string().transform((v, ctx) => {
  try {
    return TradingDate(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : String(e) });
    return z.NEVER;
  }
});

export type Side = 'buy' | 'sell';
export const SideSchema = z.enum(['buy', 'sell']);

/**
 * The client order id of a trade: a pure function of its identity, so a redelivered message maps
 * to the same broker order. Readable prefix for humans, hash suffix for uniqueness within Alpaca's
 * 128 characters.
 */
export function clientOrderIdFor(input: {
  runId: RunId;
  strategyId: StrategyId;
  symbol: Symbol;
  side: Side;
  leg: number;
}): ClientOrderId {
  const identity = [input.runId, input.strategyId, input.symbol, input.side, String(input.leg)].join('|');
  const digest = createHash('sha256').update(identity).digest('hex').slice(0, 20);
  const sym = input.symbol.replace(/[^A-Z0-9]/g, '.');
  const sid = input.strategyId.slice(0, 40);
  return ClientOrderId(`sb-${sid}-${sym}-${input.side === 'buy' ? 'b' : 's'}${input.leg}-${digest}`);
}

/** Injected source of fresh ids (never used where an id must be deterministic). */
export interface IdGenerator {
  next(prefix: string): string;
}
