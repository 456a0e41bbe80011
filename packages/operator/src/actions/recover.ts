import { type BrokerOrder, OrderNotFound } from '@books/broker';
import { errorMessage, type IntentState, type RunId, type StrategyId } from '@books/core';
import {
  attributionOfPlan,
  executionDeps,
  finalOrderOutcome,
  type Intent,
  intentOf,
  LedgerRunProgress,
  recordFinalOrder,
} from '@books/execution';
import type { OrderIntent } from '@books/ledger-client';
import type { Services } from '@books/runtime';

/** The reason recorded on an intent whose order the broker has never heard of. */
export const NOT_FOUND_AT_BROKER = 'not found at the broker';

/** What recovery did with one stuck intent. */
export interface RecoveredIntent {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: string;
  readonly qty: string;
  /** The intent's state before recovery. */
  readonly was: string;
  /**
   * recorded: the broker's final outcome is now in the ledger; already-recorded: another writer
   * (a redelivered message) got there first; still-working: the order is open, left alone;
   * error: nothing was written, see `detail`.
   */
  readonly action: 'recorded' | 'already-recorded' | 'still-working' | 'error';
  /** The intent's state after recovery. */
  readonly now: string;
  readonly filledQty?: string;
  readonly fillPrice?: string;
  readonly detail: string;
}

export interface RecoveryReport {
  readonly runId: string;
  readonly intents: readonly RecoveredIntent[];
  /** Strategies whose held BUYs were released onto the queue because their last SELL was recovered. */
  readonly released: readonly string[];
}

type StuckState = Extract<IntentState, 'SUBMITTED' | 'PARTIALLY_FILLED'>;
function isStuck(state: string): state is StuckState {
  return state === 'SUBMITTED' || state === 'PARTIALLY_FILLED';
}

/**
 * Finds the true outcome of every intent of `runId` left in SUBMITTED or PARTIALLY_FILLED (an
 * execution that gave up waiting, a message that went to the DLQ) by asking the broker by client
 * order id, and records it as execution does (`recordFinalOrder`: the same outcome, fill, capital,
 * legacy attribution and retries): a fill books its trade, lots and cash; an order the broker never
 * accepted is REJECTED; an order still working is left alone. Idempotent: a recorded intent is
 * final and is not looked at again, and every write is conditional on the intent's open state and
 * the trade's absence. Each intent is handled under its symbol's lock (the same lease execution
 * uses), released afterwards.
 */
export async function recoverRun(services: Services, runId: RunId): Promise<RecoveryReport | undefined> {
  const run = await services.runs.listRunItems(runId);
  if (!run) return undefined;
  const { execution } = executionDeps(services);
  const progress = new LedgerRunProgress(services.table);
  const intents: RecoveredIntent[] = [];
  const sellsRecovered = new Set<StrategyId>();
  for (const stored of run.intents) {
    if (!isStuck(stored.state)) continue;
    const intent = intentOf(stored);
    const base = describe(stored);
    try {
      const result = await execution.locks.withSymbol(intent.symbol, intent.clientOrderId, () =>
        recoverIntent(intent, base),
      );
      intents.push(result);
      if (intent.side === 'sell' && result.action === 'recorded') sellsRecovered.add(intent.strategyId);
    } catch (e) {
      intents.push({ ...base, action: 'error', now: stored.state, detail: errorMessage(e) });
    }
  }
  const released: string[] = [];
  for (const sid of sellsRecovered) {
    const before = await progress.readStrategy(runId, sid);
    await execution.release.releaseIfDue(runId, sid);
    if (before && !before.buysReleased && before.pendingSells === 0) released.push(sid);
  }
  // The fills recorded here wrote their TradeExecuted to the run's outbox: published now.
  await execution.events?.drain(runId);
  return { runId, intents, released };

  async function recoverIntent(
    intent: Intent,
    base: Omit<RecoveredIntent, 'action' | 'now' | 'detail'>,
  ): Promise<RecoveredIntent> {
    let order: BrokerOrder;
    try {
      order = await execution.broker.getOrderByClientId(intent.clientOrderId);
    } catch (e) {
      if (!(e instanceof OrderNotFound)) throw e;
      const outcome = await execution.ledger.recordOutcome({
        intent,
        finalState: 'REJECTED',
        reason: NOT_FOUND_AT_BROKER,
      });
      return { ...base, action: outcome, now: 'REJECTED', detail: NOT_FOUND_AT_BROKER };
    }
    const outcome = finalOrderOutcome(intent, order);
    if (outcome.kind === 'working') {
      return {
        ...base,
        action: 'still-working',
        now: intent.state,
        filledQty: order.filledQty.toString(),
        detail: `broker order ${order.id} is ${order.status}`,
      };
    }
    if (outcome.kind === 'invalid')
      return { ...base, action: 'error', now: intent.state, detail: outcome.message };
    // The trade carries what its execution request carried: the plan's capital and, for the LEGACY
    // book, the plan's attribution of the symbol.
    const plan = await progress.readStrategy(intent.runId, intent.strategyId);
    if (!plan) {
      return {
        ...base,
        action: 'error',
        now: intent.state,
        detail: 'the run holds no plan for the strategy',
      };
    }
    const attribution = attributionOfPlan(plan.attribution, intent.symbol);
    const recorded = await recordFinalOrder(execution, {
      intent,
      order,
      strategyCapital: plan.capital,
      ...(attribution ? { attribution } : {}),
    });
    const filled =
      outcome.kind === 'unfilled'
        ? { filledQty: '0', detail: outcome.reason }
        : {
            filledQty: outcome.fill.qty.toString(),
            fillPrice: outcome.fill.price.toString(),
            detail: `broker order ${order.id} ${order.status}`,
          };
    return recorded.kind === 'already-final'
      ? { ...base, ...filled, action: 'already-recorded', now: recorded.state }
      : { ...base, ...filled, action: recorded.kind, now: outcome.state };
  }
}

function describe(i: OrderIntent): Omit<RecoveredIntent, 'action' | 'now' | 'detail'> {
  return {
    clientOrderId: i.clientOrderId,
    strategyId: i.strategyId,
    symbol: i.symbol,
    side: i.side,
    qty: i.qty.toString(),
    was: i.state,
  };
}
