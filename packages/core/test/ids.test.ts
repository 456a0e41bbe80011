import { ClientOrderId, clientOrderIdFor, RunId, StrategyId, Symbol, TradingDate } from '../src';

describe('branded ids', () => {
  it.each(['SPY', 'BRK/B', 'BRK.B', 'BF-B', 'TQQQ', 'A'])('accepts the symbol %s', (s) => {
    expect(Symbol(s)).toBe(s);
  });

  it.each(['spy', '', 'SPY ', '1ABC', 'BRK//B', 'TOOLONGSYMBOL1'])('rejects the symbol %j', (s) => {
    expect(() => Symbol(s)).toThrow(/invalid Symbol/);
  });

  it('accepts lower-case strategy ids and the reserved EXTERNAL, rejects others', () => {
    expect(StrategyId('mean_reversion')).toBe('mean_reversion');
    expect(StrategyId('EXTERNAL')).toBe('EXTERNAL');
    expect(() => StrategyId('Momentum')).toThrow(/invalid StrategyId "Momentum"/);
  });

  it('rejects impossible calendar dates', () => {
    expect(TradingDate('2024-02-29')).toBe('2024-02-29');
    expect(() => TradingDate('2023-02-29')).toThrow(/not a calendar date/);
    expect(() => TradingDate('2023-2-1')).toThrow(/YYYY-MM-DD/);
  });

  it('derives the same client order id from the same trade identity, and different ids otherwise', () => {
    const base = {
      runId: RunId('prod-2026-11-24'),
      strategyId: StrategyId('momentum'),
      symbol: Symbol('BRK/B'),
      side: 'sell' as const,
      leg: 0,
    };
    const id = clientOrderIdFor(base);
    expect(clientOrderIdFor({ ...base })).toBe(id);
    expect(clientOrderIdFor({ ...base, leg: 1 })).not.toBe(id);
    expect(clientOrderIdFor({ ...base, side: 'buy' })).not.toBe(id);
    expect(clientOrderIdFor({ ...base, runId: RunId('prod-2026-11-25') })).not.toBe(id);
    expect(id.length).toBeLessThanOrEqual(128);
    expect(ClientOrderId(id)).toBe(id);
  });
});
