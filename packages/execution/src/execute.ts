import {
  type Broker,
  BrokerError,
  type BrokerOrder,
  BrokerOrderId,
  isOpenOrderStatus,
  OrderNotFound,
} from '@books/broker';
import { type Clock, type IntentState, isFinal, type Logger, type RunId } from '@books/core';
import type { StoredPlan } from '@books/ledger-client';
import { heldQuantity } from '@books/portfolio';
import type { StrategyExecutionRequested } from '@books/queue';
import { FillPending } from './fill-pending';
import { differencesFromPlan, UnplannedTradeError } from './planned-trade';
import type {
  BuyRelease,
  ClaimedIntent,
  ExecutionLedger,
  Intent,
  IntentStore,
  PlannedTrades,
  RunWindows,
  SymbolLease,
  SymbolLocks,
  VersionedBook,
} from './ports';
import { attributionOfRequest, finalOrderOutcome, recordFinalOrder } from './record-final-order';

export interface ExecutionDeps {
  readonly broker: Broker;
  readonly intents: IntentStore;
  readonly ledger: ExecutionLedger;
  readonly locks: SymbolLocks;
  readonly release: BuyRelease;
  /** The runs' stored plans: only their trades are placed, as planned. */
  readonly plans: PlannedTrades;
  /** Each run's trading session: a trade not placed before its close is never placed. */
  readonly windows: RunWindows;
  readonly clock: Clock;
  /**
   * The account's halt (`books halt`): while it is set, a queued intent not yet at the broker is
   * never sent (it ends CANCELED with the reason); an order already placed is followed to its end.
   * Absent, no halt applies. A halt that cannot be read throws (the message is retried).
   */
  readonly halt?: { haltedReason(): Promise<string | undefined> };
  /**
   * Publishes the run's pending outbox events (its fills' TradeExecuted). Not called by a request:
   * its batch drains each run once after its last request, the redelivery of an already-final one
   * included (processRecords): a publish that failed after a fill was recorded fails the run's
   * messages, and their redeliveries publish again.
   */
  readonly events?: { drain(runId: RunId): Promise<unknown> };
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger: Logger;
  /** How long one attempt waits for a fill before handing the message back (default 20 s). */
  readonly fillWaitMs?: number;
}

export type ExecutionResult =
  | { readonly kind: 'recorded'; readonly state: string; readonly filledQty: string }
  | { readonly kind: 'already-final'; readonly state: string };

const POLL_INTERVALS_MS = [200, 400, 800, 1600, 3200];

const HALTED = 'the account is halted';

function haltedNote(halt: string | undefined): string | undefined {
  return halt === undefined ? undefined : `${HALTED} (${halt})`;
}

/**
 * Executes one trade request exactly once, whatever was done before: the intent is claimed by the
 * deterministic client order id; an order the broker already holds is found by that id and never
 * placed again; the outcome is recorded in one ledger transaction that is itself conditional, so
 * a redelivered message, a crash at any line or two concurrent deliveries converge on one order
 * and one trade.
 *
 * Only what the run planned is placed: the message is a pointer to a trade of its run's stored
 * plan (claimPlanned), and an intent not placed by the close of its run's trading session ends
 * EXPIRED with the reason, never placed a day late.
 *
 * The run's pending events and its completion (its reconciliation once every trade is final) are
 * not handled here: the batch handles them once per run after its last request (processRecords).
 */
export async function executeRequest(
  deps: ExecutionDeps,
  request: StrategyExecutionRequested,
): Promise<ExecutionResult> {
  const log = deps.logger.child({
    runId: request.run_id,
    strategyId: request.strategy_id,
    correlationId: request.correlation_id,
    clientOrderId: request.client_order_id,
  });
  // The run's session (its META, the broker's calendar of its date) and the account's halt are
  // read while the claim is made: a NEW intent needs both before its order, and neither depends on
  // the claim. The halt (and a failure to read it) counts only while the session is open, and it
  // is read again just before the broker call (submit).
  deps.windows.prepare?.(request.run_id);
  const haltRead = deps.halt?.haltedReason();
  haltRead?.catch(() => undefined);
  const { intent: claimed, plan } = await claimPlanned(deps, request);
  if (isFinal(claimed.state)) {
    log.info({ event: 'already-final', state: claimed.state }, 'intent already final: nothing to place');
    await afterRequest(deps, request, plan);
    return { kind: 'already-final', state: claimed.state };
  }
  let intent: ClaimedIntent = claimed;
  if (intent.state === 'NEW') {
    const closed =
      (await deps.windows.closedReason(intent.runId, deps.clock.now())) ?? haltedNote(await haltRead);
    // An order placed before a crash (never marked SUBMITTED) is followed, window or not.
    const placed = closed ? await placedBefore(deps, intent) : undefined;
    if (placed) {
      const moved = await deps.intents.transition(intent.clientOrderId, intent.runId, 'NEW', 'SUBMITTED', {
        brokerOrderId: placed.id,
      });
      if (typeof moved === 'object') {
        await afterRequest(deps, request, plan);
        return alreadyFinal(moved.final, log);
      }
      intent = { ...intent, state: 'SUBMITTED', brokerOrderId: placed.id };
    } else if (closed) {
      const halt = closed.startsWith(HALTED);
      const finalState = halt ? 'CANCELED' : 'EXPIRED';
      const reason = halt ? `canceled unplaced: ${closed}` : `expired unplaced: ${closed}`;
      const outcome = await deps.ledger.recordOutcome({ intent, finalState, reason });
      log.warn({ event: halt ? 'intent-halted' : 'intent-expired', outcome, reason }, reason);
      await deps.release.releaseIfDue(request.run_id, request.strategy_id, plan);
      return { kind: 'recorded', state: finalState, filledQty: '0' };
    }
  }

  const open = intent;
  const result = await deps.locks.withSymbol(open.symbol, open.clientOrderId, async (lease) => {
    // A NEW intent this call found (did not create) may have moved on while this call waited for
    // the lock: a concurrent delivery of the same message placed, filled and recorded it under the
    // lock. It is read again once the lock is held. One this call created is not (a read per order):
    // a twin that took the lock first is met as a duplicate submit (submit), whose move to
    // SUBMITTED then finds the outcome the twin recorded.
    const state =
      open.state === 'NEW' && !open.created
        ? ((await deps.intents.stateOf(open.runId, open.clientOrderId)) ?? open.state)
        : open.state;
    if (isFinal(state)) return alreadyFinal(state, log);
    const submitted: Submitted | 'rejected' | 'halted' | { readonly final: IntentState } =
      state === 'NEW' ? await submit(deps, open, log) : { order: await findOrder(deps, open) };
    if (submitted === 'rejected') return { kind: 'recorded' as const, state: 'REJECTED', filledQty: '0' };
    if (submitted === 'halted') return { kind: 'recorded' as const, state: 'CANCELED', filledQty: '0' };
    if ('final' in submitted) return alreadyFinal(submitted.final, log);
    const final = await awaitFinal(deps, submitted.order);
    // A NEW intent that submit() answered with an order is SUBMITTED by this call's own
    // conditional write (or was found so by it): its state is known, and not read again; nor is
    // the book when submit() read it already (Submitted.book). The outcome's transaction releases
    // the symbol's lease.
    return state === 'NEW'
      ? record(deps, open, request, final, log, lease, { knownOpen: true, book: submitted.book })
      : record(deps, open, request, final, log, lease);
  });
  await afterRequest(deps, request, plan);
  return result;
}

/**
 * What every way out of a request does: releases the strategy's held BUYs when due, with the plan
 * the claim read (a plan never changes once written).
 */
async function afterRequest(
  deps: ExecutionDeps,
  request: StrategyExecutionRequested,
  plan: StoredPlan | undefined,
): Promise<void> {
  await deps.release.releaseIfDue(request.run_id, request.strategy_id, plan);
}

/**
 * The claim: the message points to a trade of its run's stored plan, and must repeat it exactly
 * (planned-trade.ts); the intent is created from the plan's trade, never from the message. A
 * message that names no planned trade, or differs from it, is an UnplannedTradeError (poison).
 */
async function claimPlanned(
  deps: ExecutionDeps,
  request: StrategyExecutionRequested,
): Promise<{ intent: ClaimedIntent; plan: StoredPlan | undefined }> {
  const planned = await deps.plans.find(request.run_id, request.strategy_id, request.client_order_id);
  const what = `${request.trade.direction} ${request.trade.target_qty} ${request.trade.symbol} (${request.client_order_id})`;
  if (!planned)
    throw new UnplannedTradeError(
      `${what} is not a trade of run ${request.run_id}'s plan for ${request.strategy_id}: not placed`,
    );
  const problems = differencesFromPlan(request, planned);
  if (problems.length > 0)
    throw new UnplannedTradeError(
      `${what} differs from the trade run ${request.run_id} planned: ${problems.join('; ')}; not placed`,
      problems,
    );
  const intent = await deps.intents.claim({
    clientOrderId: planned.clientOrderId,
    runId: planned.runId,
    strategyId: planned.strategyId,
    symbol: planned.symbol,
    side: planned.side,
    leg: planned.leg,
    qty: planned.qty,
  });
  return { intent, plan: planned.stored };
}

/**
 * The order a NEW intent follows once submit() moved it to SUBMITTED, and the book its fill is to
 * be folded into when submit() read it already (or started to): FinalOrder.book, whose contract
 * each such read meets (see submit and startFillRead).
 */
interface Submitted {
  readonly order: BrokerOrder;
  readonly book?: Promise<VersionedBook>;
}

/**
 * Places a NEW intent, under its symbol's lease. The halt is read again here, after the lease is
 * held and immediately before the broker call: a halt set while this message waited for the lease
 * (after the read before it) still stops this order.
 */
async function submit(
  deps: ExecutionDeps,
  intent: ClaimedIntent,
  log: Logger,
): Promise<Submitted | 'rejected' | 'halted' | { readonly final: IntentState }> {
  // A SELL's book, read for its check, is also the book its fill is first folded into. It is read
  // without the fill's id (the broker order id is not known before the POST), so its
  // `appliedFillIds` cannot tell whether it holds this order's fill; it cannot hold it: a fill is
  // recorded in the one transaction that makes its intent final, a final intent never opens
  // again, and this call sees the intent open after this read (its move to SUBMITTED applies, or
  // finds it SUBMITTED; a final one ends the request). A fill recorded after the read (a twin
  // delivery) bumps the book's version and writes the trade item, so the fill's transaction
  // fails on one of its conditions: already-recorded (the intent or the trade), or a
  // ConcurrencyError whose re-read, with the fill's id, finds the fill (already-final).
  const sellCheck = intent.side === 'sell' ? await deps.ledger.readBook(intent.strategyId) : undefined;
  const readBefore = sellCheck && Promise.resolve(sellCheck);
  if (sellCheck) {
    // SELLs are bounded by the strategy's own lots, never by the account's position.
    const held = heldQuantity(sellCheck.book, intent.symbol);
    if (intent.qty.gt(held)) {
      return reject(
        deps,
        intent,
        `sell of ${intent.qty} ${intent.symbol} exceeds the book's own ${held}`,
        log,
      );
    }
  }
  // An intent still NEW may have been placed by an earlier delivery that stopped before it
  // recorded SUBMITTED: its client order id is looked up before any POST, never re-POSTed blindly.
  // An intent this call's claim created has no earlier delivery past its claim, so no order: it is
  // not looked up (one request less per order at the broker). A concurrent delivery that places it
  // first is met as any duplicate submit is: the broker answers with that order (or rejects, and
  // the rejection path below finds it).
  const earlier = intent.created ? undefined : await placedBefore(deps, intent);
  if (earlier) return followPlaced(deps, intent, earlier, log, readBefore);
  const halted = haltedNote(await deps.halt?.haltedReason());
  if (halted) {
    // Never canceled under an order a concurrent delivery placed: looked up first (rare: a halt).
    const placed = intent.created ? await placedBefore(deps, intent) : undefined;
    if (placed) return followPlaced(deps, intent, placed, log, readBefore);
    const reason = `canceled unplaced: ${halted}`;
    const outcome = await deps.ledger.recordOutcome({ intent, finalState: 'CANCELED', reason });
    log.warn({ event: 'intent-halted', outcome, reason }, reason);
    return 'halted';
  }
  let order: BrokerOrder;
  try {
    order = await deps.broker.placeOrder({
      clientOrderId: intent.clientOrderId,
      symbol: intent.symbol,
      side: intent.side,
      qty: intent.qty,
      type: 'market',
      timeInForce: 'day',
    });
  } catch (e) {
    if (!(e instanceof BrokerError) || e.retryable) throw e;
    // A concurrent delivery of this message may have placed the order first, and the rejection
    // (buying power, position, wash trade) judged the state that very order left: the order
    // stands, and is followed like one this call placed.
    const placed = await placedBefore(deps, intent);
    if (!placed) return reject(deps, intent, e.message, log);
    log.warn(
      { event: 'rejected-but-placed', brokerOrderId: placed.id, reason: e.message },
      'the broker rejected a submit whose client order id it already holds: following that order',
    );
    order = placed;
  }
  const book = readBefore ?? startFillRead(deps, intent, order);
  const moved = await deps.intents.transition(intent.clientOrderId, intent.runId, 'NEW', 'SUBMITTED', {
    brokerOrderId: order.id,
  });
  if (typeof moved === 'object') {
    // Another delivery recorded the intent's outcome meanwhile: this order is the one it followed
    // (the broker answered this submit with it), or, should that delivery have ended the intent
    // unplaced, one the reconciliation will name.
    log.warn(
      { event: 'final-before-submitted', brokerOrderId: order.id, state: moved.final },
      `another delivery made the intent ${moved.final} while this one submitted order ${order.id}`,
    );
    return moved;
  }
  log.info({ event: 'order-submitted', brokerOrderId: order.id, status: order.status }, 'order submitted');
  return { order, ...(book ? { book } : {}) };
}

/**
 * The broker may answer the POST with the order already final (the simulated broker fills at
 * once; Alpaca sometimes does): the book read its fill needs then starts at once, beside the
 * move to SUBMITTED, instead of after it (one round trip less in sequence). It is optimistic like
 * every book read of a fill (the fill's transaction is conditional on the book's version and the
 * trade's absence, and a ConcurrencyError reads again), and it is made with the fill's id, so a
 * twin delivery's record of this very fill before the read shows as applied. Undefined when the
 * order has nothing filled yet.
 */
function startFillRead(
  deps: ExecutionDeps,
  intent: Intent,
  order: BrokerOrder,
): Promise<VersionedBook> | undefined {
  const outcome = finalOrderOutcome(intent, order);
  if (outcome.kind !== 'filled' && outcome.kind !== 'partial') return undefined;
  const read = deps.ledger.readBook(intent.strategyId, [outcome.fill.fillId]);
  // Awaited by the fill's record; a way out before it (the intent found final, a failed move to
  // SUBMITTED) leaves it unawaited, and its failure must not surface as an unhandled rejection.
  read.catch(() => undefined);
  return read;
}

/**
 * An order found already placed for a NEW intent: the intent follows it (SUBMITTED), unless the
 * delivery that placed it has recorded its outcome already (`final`).
 */
async function followPlaced(
  deps: ExecutionDeps,
  intent: Intent,
  placed: BrokerOrder,
  log: Logger,
  book: Promise<VersionedBook> | undefined,
): Promise<Submitted | { readonly final: IntentState }> {
  log.warn({ event: 'found-before-submit', brokerOrderId: placed.id }, 'order already placed: following it');
  const moved = await deps.intents.transition(intent.clientOrderId, intent.runId, 'NEW', 'SUBMITTED', {
    brokerOrderId: placed.id,
  });
  return typeof moved === 'object' ? moved : { order: placed, ...(book ? { book } : {}) };
}

/** A request whose intent another delivery has made final: nothing is left to do. */
function alreadyFinal(state: IntentState, log: Logger): ExecutionResult {
  log.info(
    { event: 'already-final', state },
    'intent final by the time this delivery reached it: nothing to place',
  );
  return { kind: 'already-final', state };
}

async function placedBefore(deps: ExecutionDeps, intent: Intent): Promise<BrokerOrder | undefined> {
  try {
    return await deps.broker.getOrderByClientId(intent.clientOrderId);
  } catch (e) {
    if (e instanceof OrderNotFound) return undefined;
    throw e;
  }
}

async function reject(deps: ExecutionDeps, intent: Intent, reason: string, log: Logger): Promise<'rejected'> {
  log.warn({ event: 'order-rejected', reason }, `order rejected: ${reason}`);
  await deps.ledger.recordOutcome({ intent, finalState: 'REJECTED', reason });
  return 'rejected';
}

async function findOrder(deps: ExecutionDeps, intent: Intent): Promise<BrokerOrder> {
  if (intent.brokerOrderId) return deps.broker.getOrder(BrokerOrderId(intent.brokerOrderId));
  return deps.broker.getOrderByClientId(intent.clientOrderId);
}

async function awaitFinal(deps: ExecutionDeps, first: BrokerOrder): Promise<BrokerOrder> {
  let order = first;
  let waited = 0;
  const limit = deps.fillWaitMs ?? 20_000;
  for (let i = 0; isOpenOrderStatus(order.status); i++) {
    const pause = POLL_INTERVALS_MS[Math.min(i, POLL_INTERVALS_MS.length - 1)] ?? 1000;
    if (waited + pause > limit) throw new FillPending(order.clientOrderId, order.status);
    await deps.sleep(pause);
    waited += pause;
    order = await deps.broker.getOrder(order.id);
  }
  return order;
}

async function record(
  deps: ExecutionDeps,
  intent: Intent,
  request: StrategyExecutionRequested,
  order: BrokerOrder,
  log: Logger,
  lease: SymbolLease,
  /** The intent is SUBMITTED by this call's own write (FinalOrder.knownOpen), and its book if read already. */
  known?: { readonly knownOpen: true; readonly book: Promise<VersionedBook> | undefined },
): Promise<ExecutionResult> {
  const attribution = attributionOfRequest(request);
  const recorded = await recordFinalOrder(deps, {
    intent,
    order,
    strategyCapital: request.strategy_capital,
    ...(attribution ? { attribution } : {}),
    ...(known ? { knownOpen: true, ...(known.book ? { book: known.book } : {}) } : {}),
    lease,
  });
  if (recorded.kind === 'already-final') return { kind: 'already-final', state: recorded.state };
  const { outcome } = recorded;
  if (outcome.kind === 'unfilled') {
    log.info(
      { event: 'order-final', state: outcome.state, outcome: recorded.kind },
      `order ${order.status} with nothing filled`,
    );
    return { kind: 'recorded', state: outcome.state, filledQty: '0' };
  }
  const { fill } = outcome;
  log.info(
    {
      event: 'fill-recorded',
      outcome: recorded.kind,
      qty: fill.qty.toString(),
      price: fill.price.toString(),
      state: outcome.state,
    },
    `${intent.side} ${fill.qty} ${intent.symbol} @ ${fill.price} recorded`,
  );
  return { kind: 'recorded', state: outcome.state, filledQty: fill.qty.toString() };
}
