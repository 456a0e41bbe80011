import {
  checkTransition,
  INTENT_STATES,
  type IntentState,
  InvalidTransitionError,
  intentStateForBrokerStatus,
  isFinal,
} from '../src/intent-state';

const allowed: ReadonlyArray<[IntentState, IntentState]> = [
  ['NEW', 'SUBMITTED'],
  ['NEW', 'REJECTED'],
  // The account was halted (books halt) before it was placed.
  ['NEW', 'CANCELED'],
  // Its run's trading session closed before it was placed.
  ['NEW', 'EXPIRED'],
  ['SUBMITTED', 'PARTIALLY_FILLED'],
  ['SUBMITTED', 'FILLED'],
  ['SUBMITTED', 'REJECTED'],
  ['SUBMITTED', 'CANCELED'],
  ['SUBMITTED', 'EXPIRED'],
  ['PARTIALLY_FILLED', 'FILLED'],
  ['PARTIALLY_FILLED', 'CANCELED'],
  ['PARTIALLY_FILLED', 'EXPIRED'],
];
const key = (from: IntentState, to: IntentState) => `${from}->${to}`;
const allowedKeys = new Set(allowed.map(([f, t]) => key(f, t)));
const everyPair = INTENT_STATES.flatMap((from) =>
  INTENT_STATES.map((to): [IntentState, IntentState] => [from, to]),
);

describe('order intent transitions', () => {
  it.each(allowed)('applies %s -> %s', (from, to) => {
    expect(checkTransition(from, to)).toEqual({ kind: 'apply' });
  });

  it.each(INTENT_STATES.map((s) => [s]))('treats a repeated %s as a no-op', (state) => {
    expect(checkTransition(state, state)).toEqual({ kind: 'noop' });
  });

  it.each(everyPair.filter(([f, t]) => f !== t && !allowedKeys.has(key(f, t))))(
    'rejects %s -> %s',
    (from, to) => {
      expect(() => checkTransition(from, to, { clientOrderId: 'sb-x' })).toThrow(InvalidTransitionError);
      expect(() => checkTransition(from, to)).toThrow(`order intent cannot go from ${from} to ${to}`);
    },
  );

  it('has exactly the four final states', () => {
    expect(INTENT_STATES.filter(isFinal)).toEqual(['FILLED', 'REJECTED', 'CANCELED', 'EXPIRED']);
  });

  it.each([
    ['filled', 'FILLED'],
    ['partially_filled', 'PARTIALLY_FILLED'],
    ['accepted', 'SUBMITTED'],
    ['new', 'SUBMITTED'],
    ['pending_new', 'SUBMITTED'],
    ['canceled', 'CANCELED'],
    ['expired', 'EXPIRED'],
    ['rejected', 'REJECTED'],
    ['done_for_day', 'CANCELED'],
  ])('maps the broker status %s to %s', (status, state) => {
    expect(intentStateForBrokerStatus(status)).toBe(state);
  });

  it('does not guess an unknown broker status', () => {
    expect(intentStateForBrokerStatus('mystery')).toBeUndefined();
  });
});
