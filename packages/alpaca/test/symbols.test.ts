import { fromAlpacaSymbol, requestedByAlpacaSymbol, toAlpacaSymbol } from '../src';

describe('the one symbol mapping between ours and Alpaca', () => {
  it.each([
    ['BRK/B', 'BRK.B'],
    ['SPY', 'SPY'],
    ['BF-B', 'BF-B'],
    ['brk/b', 'BRK.B'],
  ])('sends %s to Alpaca as %s', (ours, alpaca) => {
    expect(toAlpacaSymbol(ours)).toBe(alpaca);
  });

  it.each([
    ['BRK.B', 'BRK/B'],
    ['SPY', 'SPY'],
    ['BF-B', 'BF-B'],
  ])('reads Alpaca’s %s as our %s', (alpaca, ours) => {
    expect(fromAlpacaSymbol(alpaca)).toBe(ours);
  });

  it('round-trips every share-class spelling to the slash form', () => {
    for (const ours of ['BRK/B', 'BRK.B']) expect(fromAlpacaSymbol(toAlpacaSymbol(ours))).toBe('BRK/B');
  });

  it('hands an answer keyed by Alpaca’s symbols back under the symbols the caller asked for', () => {
    const map = requestedByAlpacaSymbol(['BRK/B', 'SPY']);
    expect([...map]).toEqual([
      ['BRK.B', 'BRK/B'],
      ['SPY', 'SPY'],
    ]);
  });

  it('refuses a symbol that is not a ticker', () => {
    expect(() => fromAlpacaSymbol('AAPL241213C00250000X')).toThrow();
  });
});
