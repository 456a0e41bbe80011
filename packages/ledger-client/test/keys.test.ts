import { ClientOrderId, RunId, StrategyId, Symbol, TradingDate, ValidationError } from '@books/core';
import { canonicalInstant, keys } from '../src';

const sid = StrategyId('momentum');

describe('ledger keys (DESIGN.md §4)', () => {
  it('keys a per-strategy trade by strategy and order, and GSI1 by strategy and fill time', () => {
    expect(keys.strategyTrade(sid, 'o-1')).toEqual({ PK: 'STRATEGY#momentum#TRADE#o-1', SK: 'METADATA' });
    expect(keys.strategyTradeGsi1(sid, '2026-11-24T20:30:01.25Z', 'o-1')).toEqual({
      GSI1PK: 'STRATEGY#momentum',
      GSI1SK: 'TRADE#2026-11-24T20:30:01.250Z#o-1',
    });
  });

  it('keys a legacy trade by order alone', () => {
    expect(keys.legacyTrade('o-1')).toEqual({ PK: 'TRADE#o-1', SK: 'METADATA' });
  });

  it('keeps lots, cash and transfers in the book partition', () => {
    expect(keys.lot(sid, Symbol('BRK/B'), '2026-11-24T20:30:00Z', 'o-2')).toEqual({
      PK: 'STRATEGY#momentum#BOOK',
      SK: 'LOT#BRK/B#2026-11-24T20:30:00.000Z#o-2',
    });
    expect(keys.cash(sid)).toEqual({ PK: 'STRATEGY#momentum#BOOK', SK: 'CASH' });
    expect(keys.transfer(sid, '2026-11-24T14:00:00.000Z', 't-1')).toEqual({
      PK: 'STRATEGY#momentum#BOOK',
      SK: 'TRANSFER#2026-11-24T14:00:00.000Z#t-1',
    });
  });

  it('keeps a run, its strategies and its intents in the run partition', () => {
    const run = RunId('r-1');
    expect(keys.runMeta(run)).toEqual({ PK: 'RUN#r-1', SK: 'META' });
    expect(keys.runStrategy(run, sid)).toEqual({ PK: 'RUN#r-1', SK: 'STRATEGY#momentum' });
    expect(keys.intent(run, ClientOrderId('sb-x'))).toEqual({ PK: 'RUN#r-1', SK: 'INTENT#sb-x' });
  });

  it("keeps the run's plans, BUY releases, shadow reports, skips and reconciliation marker in the run partition", () => {
    const run = RunId('dev-2026-11-24');
    expect(keys.plan(run, sid)).toEqual({ PK: 'RUN#dev-2026-11-24', SK: 'PLAN#momentum' });
    expect(keys.release(run, sid)).toEqual({ PK: 'RUN#dev-2026-11-24', SK: 'RELEASE#momentum' });
    expect(keys.shadow(run, sid)).toEqual({ PK: 'RUN#dev-2026-11-24', SK: 'SHADOW#momentum' });
    expect(keys.runSkip(run, '2026-11-24T20:30:00Z')).toEqual({
      PK: 'RUN#dev-2026-11-24',
      SK: 'SKIP#2026-11-24T20:30:00.000Z',
    });
    expect(keys.reconcileRequested(run)).toEqual({ PK: 'RUN#dev-2026-11-24', SK: 'RECONCILE_REQUESTED' });
  });

  it('keys poison messages, symbol leases and projection repairs in partitions of their own', () => {
    expect(keys.poisonMessage('m-1')).toEqual({ PK: 'POISON', SK: 'MSG#m-1' });
    expect(keys.symbolLock(Symbol('BRK/B'))).toEqual({ PK: 'LOCK#SYMBOL#BRK/B', SK: 'LOCK' });
    expect(keys.adjustment(sid, '2026-11-24T20:30:00.000Z', 'restore-1')).toEqual({
      PK: 'STRATEGY#momentum#ADJUSTMENT',
      SK: 'ADJ#2026-11-24T20:30:00.000Z#restore-1',
    });
    expect(keys.adjustment(sid, '2026-11-24T15:30:00-05:00', 'r').SK).toBe('ADJ#2026-11-24T20:30:00.000Z#r');
    expect(keys.migration(sid, '2026-11-24T20:30:00Z', 'm').SK).toBe('MIGRATION#2026-11-24T20:30:00.000Z#m');
  });

  it('keys reconciliation results by date and instant', () => {
    expect(keys.reconResult(TradingDate('2026-11-24'), '2026-11-24T21:15:00Z')).toEqual({
      PK: 'RECON#2026-11-24',
      SK: 'RESULT#2026-11-24T21:15:00.000Z',
    });
  });

  it('orders lots of one symbol oldest first, and a symbol before its share classes, as text', () => {
    const sk = (symbol: string, at: string, id: string) => keys.lot(sid, Symbol(symbol), at, id).SK;
    const sorted = [
      sk('BRK.B', '2026-01-01T00:00:00Z', 'a'),
      sk('BRK', '2026-01-02T00:00:00.5Z', 'a'),
      sk('BRK', '2026-01-02T00:00:00Z', 'b'),
      sk('BRK', '2026-01-02T00:00:00Z', 'a'),
    ].sort();
    expect(sorted).toEqual([
      'LOT#BRK#2026-01-02T00:00:00.000Z#a',
      'LOT#BRK#2026-01-02T00:00:00.000Z#b',
      'LOT#BRK#2026-01-02T00:00:00.500Z#a',
      'LOT#BRK.B#2026-01-01T00:00:00.000Z#a',
    ]);
  });
});

describe('canonicalInstant', () => {
  it('normalises any zoned ISO instant to milliseconds in UTC, so text order is time order', () => {
    expect(canonicalInstant('2026-11-24T15:30:00-05:00')).toBe('2026-11-24T20:30:00.000Z');
    expect(canonicalInstant('2026-11-24T20:30:00Z')).toBe('2026-11-24T20:30:00.000Z');
  });

  it.each(['2026-11-24', '2026-11-24T20:30:00', 'yesterday', ''])('rejects %j', (text) => {
    expect(() => canonicalInstant(text)).toThrow(ValidationError);
  });
});
