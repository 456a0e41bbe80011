import { BooksError } from './errors';

/**
 * The lifecycle of an order intent (one planned trade = one client order id = at most one broker
 * order). Every write of a transition is conditional on the `from` state, so concurrent or
 * redelivered executions agree on one history.
 *
 *   NEW ──submit──▶ SUBMITTED ──▶ FILLED
 *    │                 │  ├─────▶ PARTIALLY_FILLED ──▶ FILLED | CANCELED | EXPIRED
 *    │                 │  └─────▶ CANCELED | EXPIRED | REJECTED
 *    ├──rejected at submit (non-retryable) ──▶ REJECTED
 *    ├──the account was halted (`books halt`) before it was placed ──▶ CANCELED (with the reason)
 *    └──its run's trading session closed before it was placed ──▶ EXPIRED (with the reason)
 *
 * FILLED, REJECTED, CANCELED and EXPIRED are final. NEW → EXPIRED is the only way an intent ends
 * without reaching the broker other than a rejection: a trade is placed inside its own run's
 * trading session or never (a message delivered a day late is not a plan for that day). A PARTIALLY_FILLED order that ends CANCELED or
 * EXPIRED keeps what filled: the ledger records the filled quantity.
 */
export const INTENT_STATES = [
  'NEW',
  'SUBMITTED',
  'PARTIALLY_FILLED',
  'FILLED',
  'REJECTED',
  'CANCELED',
  'EXPIRED',
] as const;
export type IntentState = (typeof INTENT_STATES)[number];

const TRANSITIONS: Readonly<Record<IntentState, readonly IntentState[]>> = {
  NEW: ['SUBMITTED', 'REJECTED', 'CANCELED', 'EXPIRED'],
  SUBMITTED: ['PARTIALLY_FILLED', 'FILLED', 'REJECTED', 'CANCELED', 'EXPIRED'],
  PARTIALLY_FILLED: ['FILLED', 'CANCELED', 'EXPIRED'],
  FILLED: [],
  REJECTED: [],
  CANCELED: [],
  EXPIRED: [],
};

export const FINAL_STATES: ReadonlySet<IntentState> = new Set(
  INTENT_STATES.filter((s) => TRANSITIONS[s].length === 0),
);

export class InvalidTransitionError extends BooksError {
  static override readonly errorName: string = 'InvalidTransitionError';
  constructor(
    readonly from: IntentState,
    readonly to: IntentState,
    context: Record<string, unknown> = {},
  ) {
    super('INVALID_TRANSITION', `order intent cannot go from ${from} to ${to}`, { ...context, from, to });
  }
}

export type TransitionCheck = { kind: 'apply' } | { kind: 'noop' };

/**
 * Whether `from → to` is a transition to write (`apply`), a repetition of one already made
 * (`noop`: the same state again, e.g. a redelivered message), or an error.
 */
export function checkTransition(
  from: IntentState,
  to: IntentState,
  context: Record<string, unknown> = {},
): TransitionCheck {
  if (from === to) return { kind: 'noop' };
  if (TRANSITIONS[from].includes(to)) return { kind: 'apply' };
  throw new InvalidTransitionError(from, to, context);
}

export function isFinal(state: IntentState): boolean {
  return FINAL_STATES.has(state);
}

/** Maps a broker order status to the intent state it means; undefined while still working. */
export function intentStateForBrokerStatus(status: string): IntentState | undefined {
  switch (status) {
    case 'filled':
      return 'FILLED';
    case 'partially_filled':
      return 'PARTIALLY_FILLED';
    case 'canceled':
    case 'done_for_day':
    case 'replaced':
      return 'CANCELED';
    case 'expired':
      return 'EXPIRED';
    case 'rejected':
      return 'REJECTED';
    case 'new':
    case 'accepted':
    case 'pending_new':
    case 'accepted_for_bidding':
    case 'pending_cancel':
    case 'pending_replace':
    case 'calculated':
    case 'held':
    case 'stopped':
    case 'suspended':
      return 'SUBMITTED';
    default:
      return undefined;
  }
}
