import * as z from 'zod';
import { type StrategyId, StrategyIdSchema } from './ids';
import { deferredSchema } from './lazy';
import { InstantSchema } from './schemas';

/**
 * Trader controls: what an operator sets at run time, without a deploy (`books pause|resume|
 * liquidate|halt`). The store (SSM deployed, a file embedded) holds the controls in force; the
 * ledger holds the record of every change (who, when, why) and what the system did about them
 * (a liquidation planned, a drawdown stop latched).
 *
 *   book:     active ──pause──▶ paused ──resume──▶ active
 *               │                  ▲
 *               │                  └── a run's plan finds nothing left to sell ──┐
 *               └──liquidate──▶ liquidate ◀── a run sells what is left (repeats) ─┘
 *   account:  trading ──halt──▶ halted ──resume --account──▶ trading
 *
 * Paused: the book keeps its positions and cash, nothing is planned for it (no trade, no capital
 * transfer). Liquidate: each run plans a SELL of every lot left and no BUY; the liquidation is done
 * (recorded `liquidated`, by the system, "liquidation complete") only when a run's plan finds no
 * lot left to sell, so a SELL rejected, cancelled or partly filled, or a failed run, leaves the book
 * liquidating and the next run sells the rest. Then the book is paused (its cash stays in it).
 * Halted: the coordinator plans nothing and execution sends no queued intent to the broker (read
 * again under the symbol's lease, just before the order is placed); orders already at the broker
 * are followed to the end.
 *
 * The schemas are built at their first parse (deferredSchema): a function reads the controls once
 * per invocation at most, and several functions never.
 */
export const BOOK_CONTROL_STATES = ['paused', 'liquidate'] as const;
export type BookControlState = (typeof BOOK_CONTROL_STATES)[number];

/** Who set a control, when (ISO instant) and why: every control carries its reason. */
export const ControlNoteSchema = deferredSchema(() =>
  z.strictObject({
    by: z.string().min(1),
    at: InstantSchema,
    reason: z.string().min(1, 'a control needs a reason'),
  }),
);
export type ControlNote = z.output<typeof ControlNoteSchema>;

/** A book's control; `id` names the request (a liquidation is done once per request id). */
export const BookControlSchema = deferredSchema(() =>
  ControlNoteSchema.unwrap().extend({
    state: z.enum(BOOK_CONTROL_STATES),
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a control id is 1-64 letters, digits, _ or -'),
  }),
);
export type BookControl = z.output<typeof BookControlSchema>;

/** The account's halt, when set. */
export const AccountHaltSchema = deferredSchema(() =>
  ControlNoteSchema.unwrap().extend({ state: z.literal('halted') }),
);
export type AccountHalt = z.output<typeof AccountHaltSchema>;

/** The controls in force on a stage. */
export interface Controls {
  readonly halt?: AccountHalt;
  readonly books: ReadonlyMap<StrategyId, BookControl>;
}

export const NO_CONTROLS: Controls = { books: new Map() };

/** The controls as one JSON document (the embedded stage's file; `books status --json`). */
export const ControlsDocumentSchema = deferredSchema(() =>
  z.strictObject({
    halt: AccountHaltSchema.unwrap().optional(),
    books: z.record(StrategyIdSchema, BookControlSchema.unwrap()).default({}),
  }),
);
export type ControlsDocument = z.input<typeof ControlsDocumentSchema>;

export function controlsOfDocument(doc: z.output<typeof ControlsDocumentSchema>): Controls {
  return {
    ...(doc.halt ? { halt: doc.halt } : {}),
    books: new Map(Object.entries(doc.books).map(([sid, c]) => [StrategyIdSchema.parse(sid), c])),
  };
}

export function documentOfControls(controls: Controls): z.output<typeof ControlsDocumentSchema> {
  return {
    ...(controls.halt ? { halt: controls.halt } : {}),
    books: Object.fromEntries(controls.books),
  };
}

/** The kinds of change the ledger records (`CONTROLS` / `CHANGE#…`). */
export const CONTROL_ACTIONS = [
  'pause',
  'resume',
  'liquidate',
  'halt',
  'resume-account',
  /** A run of a book under `liquidate` found nothing left to sell: the book is paused from then on. */
  'liquidated',
  /** A book's drawdown stop latched (from its high-water mark); `books resume S` clears it. */
  'drawdown-stop',
] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/** One line of how a control reads to an operator: `paused by ann at … (reason)`. */
export function describeControl(state: string, note: ControlNote): string {
  return `${state} by ${note.by} at ${note.at}: ${note.reason}`;
}

/**
 * Where a book stands for the next run, from the control in force, the drawdown latch and whether
 * the liquidation asked for has been done:
 * - a latched drawdown stop wins: `pause` → paused; `liquidate` → liquidate (request
 *   `drawdown-{run that latched}`), then paused once that liquidation is done;
 * - a `paused` control → paused; a `liquidate` control → liquidate, then paused once done;
 * - otherwise active.
 */
export type BookStanding =
  | { readonly kind: 'active' }
  | { readonly kind: 'paused'; readonly why: string }
  | { readonly kind: 'liquidate'; readonly requestId: string; readonly why: string };

export interface DrawdownLatch {
  readonly at: string;
  readonly runId: string;
  readonly equity: string;
  readonly highWaterMark: string;
  readonly action: 'liquidate' | 'pause';
}

export function drawdownRequestId(latchRunId: string): string {
  return `drawdown-${latchRunId}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

export function bookStanding(input: {
  readonly control?: BookControl;
  readonly latch?: DrawdownLatch;
  /** Request id → the run that liquidated the book for it. */
  readonly liquidated: ReadonlyMap<string, string>;
}): BookStanding {
  const { control, latch, liquidated } = input;
  if (latch) {
    const what = `drawdown stop latched at ${latch.at} in run ${latch.runId} (equity ${latch.equity}, high-water mark ${latch.highWaterMark})`;
    if (latch.action === 'pause') return { kind: 'paused', why: `${what}; books resume clears it` };
    const requestId = drawdownRequestId(latch.runId);
    const done = liquidated.get(requestId);
    return done
      ? { kind: 'paused', why: `${what}; liquidated in run ${done}; books resume clears it` }
      : { kind: 'liquidate', requestId, why: what };
  }
  if (!control) return { kind: 'active' };
  if (control.state === 'paused') return { kind: 'paused', why: describeControl('paused', control) };
  const done = liquidated.get(control.id);
  return done
    ? { kind: 'paused', why: `${describeControl('liquidate', control)}; liquidated in run ${done}` }
    : { kind: 'liquidate', requestId: control.id, why: describeControl('liquidate', control) };
}
