import type { Symbol, Weight } from '@books/core';
import type { Book } from '../src/book';
import { InvalidPlanInputError, MissingPriceError } from '../src/errors';
import { type AssetInfo, planRebalance, type RebalanceInput, type RebalancePlan } from '../src/rebalance';
import { bookWith, buy, prices, quantities, str, sym, usd, weights, wt } from './support/builders';

const assets = (fractionable: string[], whole: string[] = []): Map<Symbol, AssetInfo> =>
  new Map([
    ...fractionable.map((s): [Symbol, AssetInfo] => [sym(s), { fractionable: true }]),
    ...whole.map((s): [Symbol, AssetInfo] => [sym(s), { fractionable: false }]),
  ]);

interface Case {
  book: Book;
  targets: Record<string, string>;
  capital: string;
  marks: Record<string, string>;
  fractionable?: string[];
  whole?: string[];
  band?: string;
  minNotional?: string;
}

const plan = (c: Case): RebalancePlan =>
  planRebalance({
    book: c.book,
    targets: weights(c.targets),
    capital: usd(c.capital),
    prices: prices(c.marks),
    assets: assets(c.fractionable ?? Object.keys(c.marks), c.whole ?? []),
    ...(c.band === undefined ? {} : { rebalanceThreshold: wt(c.band) }),
    ...(c.minNotional === undefined ? {} : { minNotional: usd(c.minNotional) }),
  });

const trades = (p: RebalancePlan) => ({
  sells: p.sells.map((t) => [t.symbol, str(t.qty), str(t.estimatedValue), t.reason]),
  buys: p.buys.map((t) => [t.symbol, str(t.qty), str(t.estimatedValue), t.reason]),
  suppressed: p.suppressed.map((t) => [t.symbol, t.side, str(t.qty), str(t.value), t.reason]),
});

/** A book holding 10 SPY bought at 100, with `cash` left after the buy. */
const tenSpy = (cash = '0') => bookWith(usd(cash).plus(usd('1000')).toString(), [buy('SPY', '10', '100')]);

describe('planRebalance', () => {
  it('enters targets from cash, in symbol order, truncating fractions to 9 decimals', () => {
    const p = plan({
      book: bookWith('10000'),
      targets: { SPY: '0.6', QQQ: '0.4' },
      capital: '10000',
      marks: { SPY: '400', QQQ: '350' },
    });
    expect(trades(p)).toEqual({
      sells: [],
      buys: [
        ['QQQ', '11.428571428', '3999.9999998', 'enter'],
        ['SPY', '15', '6000', 'enter'],
      ],
      suppressed: [],
    });
    expect(str(p.estimatedCashAfter)).toBe('0.0000002');
    expect(p.buys.map((t) => [str(t.targetValue), str(t.currentValue), t.leg, t.side])).toEqual([
      ['4000', '0', 0, 'buy'],
      ['6000', '0', 0, 'buy'],
    ]);
  });

  it('reduces a held position to its target (partial exit)', () => {
    const p = plan({ book: tenSpy(), targets: { SPY: '0.6' }, capital: '1000', marks: { SPY: '100' } });
    expect(trades(p).sells).toEqual([['SPY', '4', '400', 'reduce']]);
    expect(p.buys).toEqual([]);
  });

  it('exits a symbol no longer targeted by selling exactly the odd fractional lots held, and buys with the proceeds', () => {
    const book = bookWith('440.9999999', [buy('ABC', '0.333333333', '300'), buy('ABC', '1.1', '310')]);
    const p = plan({
      book,
      targets: { XYZ: '1' },
      capital: '458.66666656',
      marks: { ABC: '320', XYZ: '50' },
    });
    expect(trades(p)).toEqual({
      sells: [['ABC', '1.433333333', '458.66666656', 'exit']],
      buys: [['XYZ', '9.173333331', '458.66666655', 'enter']],
      suppressed: [],
    });
  });

  it('treats a target weight of zero as an exit', () => {
    const p = plan({ book: tenSpy(), targets: { SPY: '0' }, capital: '1000', marks: { SPY: '101' } });
    expect(trades(p).sells).toEqual([['SPY', '10', '1010', 'exit']]);
  });

  it('rounds non-fractionable buys and reductions down to whole shares', () => {
    const entry = plan({
      book: bookWith('1000'),
      targets: { BRK: '1' },
      capital: '1000',
      marks: { BRK: '300' },
      whole: ['BRK'],
      fractionable: [],
    });
    expect(trades(entry).buys).toEqual([['BRK', '3', '900', 'enter']]);
    const reduce = plan({
      book: tenSpy(),
      targets: { SPY: '0.75' },
      capital: '1000',
      marks: { SPY: '100' },
      whole: ['SPY'],
      fractionable: [],
    });
    expect(trades(reduce).sells).toEqual([['SPY', '2', '200', 'reduce']]);
  });

  it('sells everything held on a full exit of a non-fractionable symbol, fraction included', () => {
    const book = bookWith('1050', [buy('BRK', '10.5', '100')]);
    const p = plan({
      book,
      targets: {},
      capital: '1050',
      marks: { BRK: '100' },
      whole: ['BRK'],
      fractionable: [],
    });
    expect(trades(p).sells).toEqual([['BRK', '10.5', '1050', 'exit']]);
  });

  it('treats a symbol missing from the asset info as whole shares only', () => {
    const p = plan({
      book: bookWith('1000'),
      targets: { NEW: '1' },
      capital: '1000',
      marks: { NEW: '300' },
      fractionable: [],
    });
    expect(trades(p).buys).toEqual([['NEW', '3', '900', 'enter']]);
  });

  it('suppresses trades below the minimum notional ($1 by default), exits included', () => {
    const resize = plan({ book: tenSpy(), targets: { SPY: '1' }, capital: '1000.5', marks: { SPY: '100' } });
    expect(trades(resize)).toEqual({
      sells: [],
      buys: [],
      suppressed: [['SPY', 'buy', '0.005', '0.5', 'below-minimum-notional']],
    });
    const dust = bookWith('0.3', [buy('ABC', '0.001', '300')]);
    const exit = plan({ book: dust, targets: {}, capital: '0.3', marks: { ABC: '300' } });
    expect(trades(exit).suppressed).toEqual([['ABC', 'sell', '0.001', '0.3', 'below-minimum-notional']]);
    const custom = plan({
      book: bookWith('100'),
      targets: { SPY: '0.04' },
      capital: '100',
      marks: { SPY: '10' },
      minNotional: '5',
    });
    expect(trades(custom).suppressed).toEqual([['SPY', 'buy', '0.4', '4', 'below-minimum-notional']]);
  });

  it('suppresses a resize inside the band (|delta| ≤ band × capital) and trades one outside it', () => {
    const base = { book: tenSpy('1000'), targets: { SPY: '0.51' }, capital: '2000', marks: { SPY: '100' } };
    expect(trades(plan({ ...base, band: '0.02' })).suppressed).toEqual([
      ['SPY', 'buy', '0.2', '20', 'within-band'],
    ]);
    // the band is inclusive: |delta| = 20 = 0.01 × 2000
    expect(trades(plan({ ...base, band: '0.01' })).suppressed).toEqual([
      ['SPY', 'buy', '0.2', '20', 'within-band'],
    ]);
    expect(trades(plan({ ...base, band: '0.009' })).buys).toEqual([['SPY', '0.2', '20', 'increase']]);
  });

  it('never suppresses an entry or an exit by the band', () => {
    const p = plan({
      book: bookWith('1000', [buy('OLD', '0.1', '100')]),
      targets: { NEW: '0.01' },
      capital: '1000',
      marks: { OLD: '100', NEW: '10' },
      band: '0.05',
    });
    expect(trades(p)).toEqual({
      sells: [['OLD', '0.1', '10', 'exit']],
      buys: [['NEW', '1', '10', 'enter']],
      suppressed: [],
    });
  });

  it('bounds sells by the book’s own lots even when the target asks for less than nothing', () => {
    const p = plan({ book: tenSpy(), targets: { SPY: '1' }, capital: '0', marks: { SPY: '100' } });
    expect(trades(p).sells).toEqual([['SPY', '10', '1000', 'reduce']]);
  });

  it('suppresses a whole-share trade smaller than one share as rounding to zero', () => {
    const p = plan({
      book: tenSpy('1000'),
      targets: { SPY: '0.5' },
      capital: '2150',
      marks: { SPY: '100' },
      whole: ['SPY'],
      fractionable: [],
    });
    expect(trades(p).suppressed).toEqual([['SPY', 'buy', '0.75', '75', 'rounds-to-zero']]);
  });

  it('scales buys pro rata when they would spend more than cash + planned sell proceeds', () => {
    const p = plan({
      book: bookWith('500'),
      targets: { AAA: '0.5', BBB: '0.5' },
      capital: '1000',
      marks: { AAA: '10', BBB: '20' },
    });
    expect(trades(p).buys).toEqual([
      ['AAA', '25', '250', 'enter'],
      ['BBB', '12.5', '250', 'enter'],
    ]);
    expect(str(p.estimatedCashAfter)).toBe('0');
  });

  it('spends what whole-share truncation leaves on whole shares, in symbol order', () => {
    const p = plan({
      book: bookWith('500'),
      targets: { AAA: '0.5', BBB: '0.5' },
      capital: '1000',
      marks: { AAA: '300', BBB: '300' },
      whole: ['AAA', 'BBB'],
      fractionable: [],
    });
    expect(trades(p)).toEqual({
      sells: [],
      buys: [['AAA', '1', '300', 'enter']],
      suppressed: [['BBB', 'buy', '1', '300', 'insufficient-cash']],
    });
  });

  it('leaves the cash reserve unspent: a fully invested book buys with its cash less the reserve', () => {
    const p = planRebalance({
      book: bookWith('10000'),
      targets: weights({ SPY: '1' }),
      capital: usd('10000'),
      prices: prices({ SPY: '100' }),
      assets: assets(['SPY'], []),
      cashReserve: wt('0.03'),
    });
    // 9700 of 10000 spent: the broker checks 9700 × 1.03 = 9991 against 10000 of cash.
    expect(trades(p).buys).toEqual([['SPY', '97', '9700', 'enter']]);
    expect(str(p.estimatedCashAfter)).toBe('300');
  });

  it('suppresses every buy when there is no cash to spend', () => {
    const p = plan({ book: bookWith('0'), targets: { AAA: '1' }, capital: '100', marks: { AAA: '10' } });
    expect(trades(p).suppressed).toEqual([['AAA', 'buy', '10', '100', 'insufficient-cash']]);
  });

  it('accepts weights that sum to a hair above 1 from decimal rounding of fractions', () => {
    const third = wt('2').dividedBy(3);
    const sixth = wt('1').dividedBy(6);
    const targets = new Map<Symbol, Weight>([
      [sym('AAA'), third],
      [sym('BBB'), sixth],
      [sym('CCC'), sixth],
    ]);
    const marks = prices({ AAA: '1', BBB: '1', CCC: '1' });
    expect(() =>
      planRebalance({
        book: bookWith('600'),
        targets,
        capital: usd('600'),
        prices: marks,
        assets: new Map(),
      }),
    ).not.toThrow();
  });

  it('plans plain holdings without lots the same way (the legacy book)', () => {
    const holdings = { positions: quantities({ SPY: '10', OLD: '0.5', NONE: '0' }), cash: usd('0') };
    const p = planRebalance({
      book: holdings,
      targets: weights({ SPY: '0.5', QQQ: '0.5' }),
      capital: usd('1050'),
      prices: prices({ SPY: '100', OLD: '100', QQQ: '50' }),
      assets: assets(['SPY', 'OLD', 'QQQ']),
    });
    expect(trades(p)).toEqual({
      sells: [
        ['OLD', '0.5', '50', 'exit'],
        ['SPY', '4.75', '475', 'reduce'],
      ],
      buys: [['QQQ', '10.5', '525', 'enter']],
      suppressed: [],
    });
  });

  const held = tenSpy('100');
  const input = (change: Partial<RebalanceInput>): RebalanceInput => ({
    book: held,
    targets: weights({ SPY: '0.5', QQQ: '0.5' }),
    capital: usd('1100'),
    prices: prices({ SPY: '100', QQQ: '50' }),
    assets: new Map(),
    ...change,
  });
  it.each<[string, Partial<RebalanceInput>, new (...args: never[]) => Error]>([
    [
      'a held symbol without a price',
      { targets: weights({ QQQ: '1' }), prices: prices({ QQQ: '50' }) },
      MissingPriceError,
    ],
    ['a targeted symbol without a price', { prices: prices({ SPY: '100' }) }, MissingPriceError],
    ['weights summing above 1', { targets: weights({ SPY: '0.6', QQQ: '0.41' }) }, InvalidPlanInputError],
    ['a negative weight', { targets: weights({ SPY: '1.5', QQQ: '-0.5' }) }, InvalidPlanInputError],
    ['a negative capital', { capital: usd('-1') }, InvalidPlanInputError],
    ['a zero price', { prices: prices({ SPY: '100', QQQ: '0' }) }, InvalidPlanInputError],
    ['a negative band', { rebalanceThreshold: wt('-0.01') }, InvalidPlanInputError],
    [
      'negative plain holdings',
      { book: { positions: quantities({ SPY: '-1' }), cash: usd('0') } },
      InvalidPlanInputError,
    ],
  ])('rejects %s', (_name, change, ErrorType) => {
    expect(() => planRebalance(input(change))).toThrow(ErrorType);
  });

  it('does not need a price for a symbol targeted at zero and not held', () => {
    const p = planRebalance(input({ targets: weights({ SPY: '1', DEAD: '0' }) }));
    expect(p.sells.length + p.buys.length + p.suppressed.length).toBe(1);
  });
});
