import {
  CorruptItemError,
  decodeIntent,
  decodeIntentProgress,
  decodeRunStrategy,
  decodeRunStrategyProgress,
  encodeIntent,
  encodeRunStrategy,
} from '../src';
import { anIntent, aRunStrategy } from './support/builders';

describe('the run progress views', () => {
  it('read an intent and a run strategy as their full records do, by the fields progress needs', () => {
    const intentItem = encodeIntent(anIntent({ state: 'PARTIALLY_FILLED' }));
    const intent = decodeIntent(intentItem);
    expect(decodeIntentProgress(intentItem)).toEqual({
      clientOrderId: intent.clientOrderId,
      state: intent.state,
    });
    const strategyItem = encodeRunStrategy(aRunStrategy({ status: 'PLANNED', pendingSells: 3 }));
    const strategy = decodeRunStrategy(strategyItem);
    expect(decodeRunStrategyProgress(strategyItem)).toEqual({
      strategyId: strategy.strategyId,
      status: 'PLANNED',
      pendingSells: 3,
    });
  });

  it('refuse what the full records refuse in those fields', () => {
    const intentItem = { ...encodeIntent(anIntent()), state: { S: 'filled' } };
    expect(() => decodeIntent(intentItem)).toThrow(CorruptItemError);
    expect(() => decodeIntentProgress(intentItem)).toThrow(CorruptItemError);
    const strategyItem = { ...encodeRunStrategy(aRunStrategy()), status: { S: 'TRADED' } };
    expect(() => decodeRunStrategy(strategyItem)).toThrow(CorruptItemError);
    expect(() => decodeRunStrategyProgress(strategyItem)).toThrow(CorruptItemError);
    const noSells = { ...encodeRunStrategy(aRunStrategy()), pending_sells: { N: '-1' } };
    expect(() => decodeRunStrategyProgress(noSells)).toThrow(/pending_sells/);
  });
});
