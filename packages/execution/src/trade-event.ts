import { type StageEvent, tradeExecutedEvent } from '@books/events';
import type { TradeOutcome } from './ports';

/**
 * The TradeExecuted event of an outcome that filled (undefined when nothing filled): written to
 * the run's outbox in the fill's own transaction, its id the client order id's, so every
 * publication of it, however often repeated, is one event to a consumer.
 */
export function tradeExecutedOf(stage: string, outcome: TradeOutcome): StageEvent | undefined {
  const { intent } = outcome;
  if (!outcome.fill) return undefined;
  const { fill } = outcome.fill;
  const finalState = outcome.finalState;
  if (
    finalState !== 'FILLED' &&
    finalState !== 'CANCELED' &&
    finalState !== 'EXPIRED' &&
    finalState !== 'REJECTED'
  )
    throw new Error(`a fill of ${intent.clientOrderId} recorded with the open state ${finalState}`);
  return tradeExecutedEvent(
    { stage, occurredAt: fill.at },
    {
      strategyId: intent.strategyId,
      runId: intent.runId,
      clientOrderId: intent.clientOrderId,
      orderId: fill.orderId,
      symbol: fill.symbol,
      side: fill.side,
      quantity: fill.qty.toString(),
      price: fill.price.toString(),
      fees: fill.fees.toString(),
      finalState,
      filledAt: fill.at,
    },
  );
}
