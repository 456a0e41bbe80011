import {
  type ClientOrderId,
  type Clock,
  INTENT_STATES,
  type IntentState,
  isFinal,
  type RunId,
} from '@books/core';
import { type IntentRepository, type OrderIntent, StatusConflictError } from '@books/ledger-client';
import { UnplannedTradeError } from '../planned-trade';
import type { ClaimedIntent, Intent, IntentStore } from '../ports';

/** The statuses of a run's strategy item whose trades may be claimed (BUYs are released while PLANNED). */
const PLANNED_STATUSES = ['PLANNED'] as const;

export { UnplannedTradeError } from '../planned-trade';

function parseState(state: string): IntentState {
  const found = INTENT_STATES.find((s) => s === state);
  if (!found) throw new Error(`intent has an unknown state "${state}"`);
  return found;
}

/** The stored intent as execution works with it; an unknown state is an error, never guessed. */
export function intentOf(stored: OrderIntent): Intent {
  return {
    clientOrderId: stored.clientOrderId,
    runId: stored.runId,
    strategyId: stored.strategyId,
    symbol: stored.symbol,
    side: stored.side,
    qty: stored.qty,
    state: parseState(stored.state),
    ...(stored.brokerOrderId ? { brokerOrderId: stored.brokerOrderId } : {}),
    ...(stored.reason ? { reason: stored.reason } : {}),
  };
}

/** Order intents on the run record, every transition conditional on the current state. */
export class LedgerIntentStore implements IntentStore {
  constructor(
    private readonly intents: IntentRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Claims the intent of a planned trade. A message naming a run, or a strategy of it, that did
   * not plan trades (a forged or stray message) is refused before anything is written or placed.
   * The conditional create comes first (a first delivery, the usual case, writes without a read
   * before); an intent it finds already there is then read (a redelivery). The create's intent
   * condition is its first item, so an existing intent is told apart from an unplanned trade even
   * when both conditions fail.
   */
  async claim(intent: Omit<Intent, 'state'> & { readonly leg?: number }): Promise<ClaimedIntent> {
    const now = this.clock.now().toISOString();
    const record: OrderIntent = {
      runId: intent.runId,
      clientOrderId: intent.clientOrderId,
      strategyId: intent.strategyId,
      symbol: intent.symbol,
      side: intent.side,
      leg: intent.leg ?? 0,
      qty: intent.qty,
      state: 'NEW',
      createdAt: now,
      updatedAt: now,
    };
    const created = await this.intents.createIfPlanned(record, PLANNED_STATUSES);
    if (created === 'unplanned')
      throw new UnplannedTradeError(
        `run ${intent.runId} has no planned strategy ${intent.strategyId}: ${intent.side} ${intent.qty} ${intent.symbol} (${intent.clientOrderId}) is not a trade of it`,
      );
    // This call's conditional write stored exactly `record`: it is the intent as of that write (a
    // later change by another delivery is met as any change after a read is, by the conditional
    // transitions). Only an intent another delivery created is read back.
    if (created === 'created') return { ...intentOf(record), created: true };
    const stored = await this.intents.get(intent.runId, intent.clientOrderId);
    if (!stored) throw new Error(`intent ${intent.clientOrderId} vanished after it was claimed`);
    return intentOf(stored);
  }

  async stateOf(runId: RunId, clientOrderId: ClientOrderId): Promise<IntentState | undefined> {
    const stored = await this.intents.get(runId, clientOrderId);
    return stored && parseState(stored.state);
  }

  async transition(
    clientOrderId: ClientOrderId,
    runId: RunId,
    from: IntentState,
    to: IntentState,
    patch: { readonly brokerOrderId?: string; readonly reason?: string } = {},
  ): Promise<'applied' | 'noop' | { readonly final: IntentState }> {
    try {
      await this.intents.move(runId, clientOrderId, {
        from,
        to,
        at: this.clock.now().toISOString(),
        ...patch,
      });
      return 'applied';
    } catch (e) {
      if (e instanceof StatusConflictError && e.actual === to) return 'noop';
      const actual = e instanceof StatusConflictError && INTENT_STATES.find((s) => s === e.actual);
      if (actual && isFinal(actual)) return { final: actual };
      throw e;
    }
  }
}
