import {
  ClientOrderIdSchema,
  deferredSchema,
  InstantSchema,
  MoneySchema,
  PriceSchema,
  QuantitySchema,
  RunIdSchema,
  SideSchema,
  StrategyIdSchema,
  SymbolSchema,
  TradingDateSchema,
} from '@books/core';
import * as z from 'zod';

/**
 * The events a stage publishes (docs/events.md), one schema each. Every event is an envelope
 * `{id, type, version, stage, occurredAt, detail}`:
 *
 * - `id` is a pure function of what happened (`eventIds`): a retry, a redelivered message or a
 *   second publisher publishes the SAME id, so a consumer dedupes by it. Publishing is
 *   at-least-once: a consumer must expect an id more than once, never a different id for the
 *   same fact.
 * - `detail` carries decimals as strings (never JS numbers); a producer writes the schema's
 *   input (plain JSON), a consumer parses with `StageEventSchema` and gets value types.
 *
 *   TradeExecuted        one per recorded fill of an order      id TradeExecuted:{clientOrderId}
 *   RunCompleted         once a run has nothing more to trade   id RunCompleted:{runId}
 *   ReconciliationBreak  each break a reconciliation finds      id ReconciliationBreak:{date}:{subject}:{status}
 *
 * A break's id names its day, its subject (a symbol, or CASH) and its status: the same break found
 * again the same day is the same event (a consumer alerts once); a break of another status or day
 * is a new one.
 *
 * The schemas are built at their first parse (deferredSchema): most functions load this module
 * and parse none of them.
 */

/** The EventBridge `source` of every event of the stage. */
export const EVENT_SOURCE = 'strategy-books';

export const EVENT_TYPES = ['TradeExecuted', 'RunCompleted', 'ReconciliationBreak'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The version of the envelope and details below; a breaking change is a new version. */
export const EVENT_VERSION = 1;

export const TradeExecutedDetailSchema = deferredSchema(() =>
  z.object({
    strategyId: StrategyIdSchema,
    runId: RunIdSchema,
    clientOrderId: ClientOrderIdSchema,
    /** The broker's order id. */
    orderId: z.string().min(1),
    symbol: SymbolSchema,
    side: SideSchema,
    /** What filled: the whole order, or what a canceled / expired order kept. */
    quantity: QuantitySchema.refine((q) => q.isPositive(), 'a fill quantity is positive'),
    /** The average fill price. */
    price: PriceSchema.refine((p) => p.isPositive(), 'a fill price is positive'),
    fees: MoneySchema.refine((f) => !f.isNegative(), 'fees are not negative'),
    /** The intent's final state: FILLED, or CANCELED / EXPIRED / REJECTED keeping a partial fill. */
    finalState: z.enum(['FILLED', 'CANCELED', 'EXPIRED', 'REJECTED']),
    filledAt: InstantSchema,
  }),
);

export const RunCompletedDetailSchema = deferredSchema(() =>
  z.object({
    runId: RunIdSchema,
    tradingDate: TradingDateSchema,
  }),
);

export const ReconciliationBreakDetailSchema = deferredSchema(() =>
  z.object({
    tradingDate: TradingDateSchema,
    /** The run the reconciliation followed, when one asked for it. */
    runId: RunIdSchema.optional(),
    /** A symbol, or CASH for the cash identity. */
    subject: z.string().min(1),
    /** DRIFT / UNOWNED / PHANTOM for a symbol; the cash status for CASH. */
    status: z.string().min(1),
    /** What the books do not explain (a quantity, or money for CASH), as a decimal string. */
    unexplained: z.string().regex(/^-?\d+(\.\d+)?$/),
    /** What asked for the reconciliation: run-complete, plan, or absent for the schedule. */
    trigger: z.string().optional(),
  }),
);

const envelope = <T extends EventType, D extends z.ZodType>(type: T, detail: D) =>
  z.object({
    id: z.string().min(1).max(256),
    type: z.literal(type),
    version: z.literal(EVENT_VERSION),
    stage: z.string().min(1),
    occurredAt: InstantSchema,
    detail,
  });

export const TradeExecutedSchema = deferredSchema(() =>
  envelope('TradeExecuted', TradeExecutedDetailSchema.unwrap()),
);
export const RunCompletedSchema = deferredSchema(() =>
  envelope('RunCompleted', RunCompletedDetailSchema.unwrap()),
);
export const ReconciliationBreakSchema = deferredSchema(() =>
  envelope('ReconciliationBreak', ReconciliationBreakDetailSchema.unwrap()),
);

/** Any event of the stage, as a consumer parses it. */
export const StageEventSchema = deferredSchema(() =>
  z.discriminatedUnion('type', [
    TradeExecutedSchema.unwrap(),
    RunCompletedSchema.unwrap(),
    ReconciliationBreakSchema.unwrap(),
  ]),
);

export type StageEvent = z.output<typeof StageEventSchema>;
/** An event as published: plain JSON (decimals as strings). */
export type StageEventWire = z.input<typeof StageEventSchema>;
export type TradeExecuted = z.output<typeof TradeExecutedSchema>;
export type RunCompleted = z.output<typeof RunCompletedSchema>;
export type ReconciliationBreak = z.output<typeof ReconciliationBreakSchema>;

/** The deterministic ids: see the module's contract. */
export const eventIds = {
  tradeExecuted: (clientOrderId: string): string => `TradeExecuted:${clientOrderId}`,
  runCompleted: (runId: string): string => `RunCompleted:${runId}`,
  reconciliationBreak: (b: { tradingDate: string; subject: string; status: string }): string =>
    `ReconciliationBreak:${b.tradingDate}:${b.subject}:${b.status}`,
} as const;

/** Where and when an event was published from. */
export interface EventOrigin {
  readonly stage: string;
  readonly occurredAt: string;
}

type Wire<T extends EventType> = Extract<StageEventWire, { type: T }>;

/** A TradeExecuted as published, validated, with its id from the client order id. */
export function tradeExecutedEvent(
  origin: EventOrigin,
  detail: Wire<'TradeExecuted'>['detail'],
): Extract<StageEvent, { type: 'TradeExecuted' }> {
  const event: Wire<'TradeExecuted'> = {
    id: eventIds.tradeExecuted(detail.clientOrderId),
    type: 'TradeExecuted',
    version: EVENT_VERSION,
    ...origin,
    detail,
  };
  return TradeExecutedSchema.parse(event);
}

/** A RunCompleted as published, validated, with its id from the run id. */
export function runCompletedEvent(
  origin: EventOrigin,
  detail: Wire<'RunCompleted'>['detail'],
): Extract<StageEvent, { type: 'RunCompleted' }> {
  const event: Wire<'RunCompleted'> = {
    id: eventIds.runCompleted(detail.runId),
    type: 'RunCompleted',
    version: EVENT_VERSION,
    ...origin,
    detail,
  };
  return RunCompletedSchema.parse(event);
}

/** A ReconciliationBreak as published, validated, with its id from its day, subject and status. */
export function reconciliationBreakEvent(
  origin: EventOrigin,
  detail: Wire<'ReconciliationBreak'>['detail'],
): Extract<StageEvent, { type: 'ReconciliationBreak' }> {
  const event: Wire<'ReconciliationBreak'> = {
    id: eventIds.reconciliationBreak(detail),
    type: 'ReconciliationBreak',
    version: EVENT_VERSION,
    ...origin,
    detail,
  };
  return ReconciliationBreakSchema.parse(event);
}
