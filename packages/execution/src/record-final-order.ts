import { type BrokerOrder, isOpenOrderStatus } from '@books/broker';
import {
  BooksError,
  ConcurrencyError,
  type IntentState,
  intentStateForBrokerStatus,
  isFinal,
  Money,
  type Symbol,
} from '@books/core';
import {
  applyFill,
  DuplicateFillError,
  type Fill,
  LotKeyCollisionError,
  OversellError,
} from '@books/portfolio';
import { legacyAttributionFields, type RequestContext, type StrategyExecutionRequested } from '@books/queue';
import type {
  ExecutionLedger,
  Intent,
  IntentStore,
  LeaseRef,
  SymbolLease,
  TradeOutcome,
  VersionedBook,
} from './ports';

/**
 * How a broker's final order is recorded: the one rule for execution (after it waited for the
 * fill) and for the operator's recovery (`books recover`, after execution gave up waiting).
 *
 * Contract:
 * - `finalOrderOutcome` is pure: an order still working is `working` (nothing to record yet); a
 *   terminal order with nothing filled is `unfilled` in its final state (REJECTED, CANCELED,
 *   EXPIRED) with the reason `broker status {status}`; a terminal order with a filled quantity is
 *   `filled` (FILLED) or `partial` (CANCELED, EXPIRED or REJECTED keeping what filled), with the
 *   one fill of the order: its id is the broker order's, so a second fold of it is a collision.
 *   A status no intent state means, a fill with no average price, or a `filled` order with nothing
 *   filled is `invalid`: recording it would book a position that is not there or lose one that is.
 * - `recordFinalOrder` writes that outcome in execution's one ledger transaction, carrying the
 *   strategy capital and (legacy trades) the attribution. A fill is folded into the book as last
 *   read (by the first attempt: the read the caller hands over, when it has one); a book changed
 *   meanwhile (ConcurrencyError) is read again, up to RECORD_ATTEMPTS times.
 *   An intent found final before the write, or a fill the book already holds because another
 *   writer recorded it, is `already-final`: never folded twice.
 */

/** Legacy trades: the strategies the merged trade served, and each one's share. */
export type TradeAttribution = NonNullable<NonNullable<TradeOutcome['fill']>['attribution']>;

type FilledState = Extract<IntentState, 'FILLED'>;
type UnfilledState = Extract<IntentState, 'REJECTED' | 'CANCELED' | 'EXPIRED'>;

export type FinalOrderOutcome =
  | { readonly kind: 'working'; readonly status: string }
  | { readonly kind: 'unfilled'; readonly state: UnfilledState; readonly reason: string }
  | { readonly kind: 'filled'; readonly state: FilledState; readonly fill: Fill }
  | { readonly kind: 'partial'; readonly state: UnfilledState; readonly fill: Fill }
  | { readonly kind: 'invalid'; readonly code: string; readonly message: string };

/** What the broker's order means for the intent: see the module's contract. */
export function finalOrderOutcome(
  intent: Pick<Intent, 'symbol' | 'side'>,
  order: BrokerOrder,
): FinalOrderOutcome {
  if (isOpenOrderStatus(order.status)) return { kind: 'working', status: order.status };
  const state = terminalState(intentStateForBrokerStatus(order.status));
  if (!state) {
    return {
      kind: 'invalid',
      code: 'UNEXPECTED_ORDER_STATUS',
      message: `order ${order.clientOrderId} ended in status ${order.status}`,
    };
  }
  const filled = order.filledQty;
  if (!filled.isPositive()) {
    if (state === 'FILLED') {
      return {
        kind: 'invalid',
        code: 'FILLED_WITHOUT_QUANTITY',
        message: `order ${order.clientOrderId} is filled with nothing filled`,
      };
    }
    return { kind: 'unfilled', state, reason: `broker status ${order.status}` };
  }
  if (!order.filledAvgPrice) {
    return {
      kind: 'invalid',
      code: 'MISSING_FILL_PRICE',
      message: `order ${order.clientOrderId} filled ${filled} with no average price`,
    };
  }
  const fill: Fill = {
    fillId: order.id,
    orderId: order.id,
    symbol: intent.symbol,
    side: intent.side,
    qty: filled,
    price: order.filledAvgPrice,
    fees: Money.ZERO,
    at: (order.filledAt ?? order.submittedAt).toISOString(),
  };
  return state === 'FILLED' ? { kind: 'filled', state, fill } : { kind: 'partial', state, fill };
}

function terminalState(state: IntentState | undefined): FilledState | UnfilledState | undefined {
  switch (state) {
    case 'FILLED':
    case 'REJECTED':
    case 'CANCELED':
    case 'EXPIRED':
      return state;
    default:
      return undefined;
  }
}

/** The attribution execution records for a request: legacy requests only (they carry weights). */
export function attributionOfRequest(
  request: Pick<StrategyExecutionRequested, 'strategy_names' | 'strategy_weights'>,
): TradeAttribution | undefined {
  return request.strategy_weights
    ? { names: request.strategy_names ?? [], weights: request.strategy_weights }
    : undefined;
}

/**
 * The attribution of a trade of `symbol` from its plan's attribution (the legacy book's plan): the
 * same as its execution request carried, so a trade recorded from the plan equals one recorded
 * from the message.
 */
export function attributionOfPlan(
  attribution: RequestContext['attribution'],
  symbol: Symbol,
): TradeAttribution | undefined {
  return attributionOfRequest(legacyAttributionFields(attribution, symbol) ?? {});
}

export interface RecordFinalOrderDeps {
  readonly intents: Pick<IntentStore, 'stateOf'>;
  readonly ledger: ExecutionLedger;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface FinalOrder {
  readonly intent: Intent;
  readonly order: BrokerOrder;
  /** The capital of the plan the trade belongs to (stored on a book's trade). */
  readonly strategyCapital: Money;
  readonly attribution?: TradeAttribution;
  /**
   * The intent is open as of a conditional write the caller itself just made (execution moved it
   * to SUBMITTED): the first attempt does not read its state again. A writer that records it
   * after that write is met as after any read, by the fold (the book knows the fill) and by the
   * transaction's conditions (the intent's open state, the trade's absence).
   */
  readonly knownOpen?: boolean;
  /**
   * With `knownOpen` only: the intent's book as the caller already read it (or started to read
   * it), which the first attempt folds the fill into instead of reading the book again. Like any read here it is optimistic: the fill's transaction is conditional on
   * the book's version and the trade's absence, and a ConcurrencyError reads the book again.
   * Contract for the caller: either the read was made with the fill's id (its `appliedFillIds`
   * tell whether the book holds this fill), or it was made before the caller saw the intent open
   * (its `knownOpen` write): a fill is recorded in the one transaction that makes its intent
   * final, and a final intent never opens again, so a book read before the intent was seen open
   * cannot hold the fill.
   */
  readonly book?: Promise<VersionedBook>;
  /**
   * The symbol's lease the caller holds for the order: released by the outcome's own transaction
   * (one write less), and marked released once that transaction is `recorded`. An outcome found
   * already recorded, or an intent found final, leaves it to the caller's release.
   */
  readonly lease?: SymbolLease;
}

/**
 * recorded: this call's transaction wrote the outcome; already-recorded: the ledger's conditions
 * found it written (a concurrent writer won); already-final: the intent was final before writing.
 */
export type FinalOrderRecord =
  | {
      readonly kind: 'recorded' | 'already-recorded';
      readonly outcome: Exclude<FinalOrderOutcome, { kind: 'working' | 'invalid' }>;
    }
  | { readonly kind: 'already-final'; readonly state: IntentState };

const RECORD_ATTEMPTS = 8;

/** Records a terminal broker order; throws a BooksError (the outcome's code) for a working or invalid one. */
export async function recordFinalOrder(
  deps: RecordFinalOrderDeps,
  input: FinalOrder,
): Promise<FinalOrderRecord> {
  const { intent, order } = input;
  const outcome = finalOrderOutcome(intent, order);
  switch (outcome.kind) {
    case 'working':
      throw new BooksError('ORDER_STILL_WORKING', `order ${order.clientOrderId} is still ${order.status}`, {
        clientOrderId: order.clientOrderId,
      });
    case 'invalid':
      throw new BooksError(outcome.code, outcome.message, { clientOrderId: order.clientOrderId });
    case 'unfilled': {
      const written = await deps.ledger.recordOutcome({
        intent,
        finalState: outcome.state,
        reason: outcome.reason,
        ...releasing(input.lease),
      });
      if (written === 'recorded') input.lease?.released();
      return { kind: written, outcome };
    }
    case 'filled':
    case 'partial':
      return recordFill(deps, input, outcome);
  }
}

/** The outcome's release of the caller's lease, when it holds one. */
function releasing(lease: SymbolLease | undefined): { releaseLease?: LeaseRef } {
  return lease ? { releaseLease: { symbol: lease.symbol, owner: lease.owner } } : {};
}

async function recordFill(
  deps: RecordFinalOrderDeps,
  { intent, strategyCapital, attribution, knownOpen, book: readBefore, lease }: FinalOrder,
  outcome: Extract<FinalOrderOutcome, { kind: 'filled' | 'partial' }>,
): Promise<FinalOrderRecord> {
  const { fill } = outcome;
  for (let attempt = 1; ; attempt++) {
    // Another writer (a redelivery sharing the symbol's lease, or recovery) may have recorded it:
    // its fill is then in the book, and folding it again would be a duplicate.
    const known = attempt === 1 && knownOpen;
    const state = known ? undefined : await deps.intents.stateOf(intent.runId, intent.clientOrderId);
    if (state && isFinal(state)) return { kind: 'already-final', state };
    const { book, version } = await ((known ? readBefore : undefined) ??
      deps.ledger.readBook(intent.strategyId, [fill.fillId]));
    try {
      const written = await deps.ledger.recordOutcome({
        intent,
        finalState: outcome.state,
        fill: {
          fill,
          application: applyFill(book, fill),
          bookVersion: version,
          strategyCapital,
          ...(attribution ? { attribution } : {}),
        },
        ...releasing(lease),
      });
      if (written === 'recorded') lease?.released();
      return { kind: written, outcome };
    } catch (e) {
      if (
        e instanceof DuplicateFillError ||
        e instanceof LotKeyCollisionError ||
        e instanceof OversellError
      ) {
        // The book already holds this fill (a reloaded book knows its fills): another writer
        // recorded it between our reads.
        const now = await deps.intents.stateOf(intent.runId, intent.clientOrderId);
        if (now && isFinal(now)) return { kind: 'already-final', state: now };
      }
      if (e instanceof ConcurrencyError && attempt < RECORD_ATTEMPTS) {
        await deps.sleep(20 * attempt);
        continue;
      }
      throw e;
    }
  }
}
