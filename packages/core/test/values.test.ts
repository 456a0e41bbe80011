import fc from 'fast-check';
import { Money, notional, Price, Quantity, quantityFor, shareOf, Weight, weightOf } from '../src';

describe('decimal value types', () => {
  it('adds money exactly where binary floats do not', () => {
    expect(Money.parse('0.1').plus(Money.parse('0.2')).toString()).toBe('0.3');
  });

  it('prints canonical strings without exponent, trailing zeros or negative zero', () => {
    expect(Money.parse('1.50').toString()).toBe('1.5');
    expect(Money.parse('0.0000000001').toString()).toBe('0.0000000001');
    expect(Money.parse('-0.00').toString()).toBe('0');
    expect(Quantity.parse('123456789012345678901234567890').toString()).toBe(
      '123456789012345678901234567890',
    );
  });

  it.each(['', ' ', 'abc', '1e5', 'NaN', 'Infinity', '1.', '.5', '1,5', '0x10'])(
    'rejects %j as a decimal string',
    (text) => {
      expect(() => Money.parse(text, 'cash')).toThrow(/cash: .* is not a decimal string/);
    },
  );

  it('computes notional, quantity for money, shares and weights across kinds', () => {
    expect(notional(Quantity.parse('3.5'), Price.parse('100.01')).toString()).toBe('350.035');
    expect(quantityFor(Money.parse('1000'), Price.parse('400')).toString()).toBe('2.5');
    expect(shareOf(Weight.parse('0.3'), Money.parse('100000')).toString()).toBe('30000');
    expect(weightOf(Money.parse('25'), Money.parse('100')).toString()).toBe('0.25');
    expect(weightOf(Money.parse('25'), Money.ZERO).toString()).toBe('0');
  });

  it('refuses to size a position at a non-positive price', () => {
    expect(() => quantityFor(Money.parse('10'), Price.parse('0'))).toThrow(/non-positive price/);
  });

  it('rounds money to cents half-even and truncates quantities towards zero', () => {
    expect(Money.parse('2.345').toCents().toString()).toBe('2.34');
    expect(Money.parse('2.355').toCents().toString()).toBe('2.36');
    expect(Quantity.parse('1.9999999999').truncate(9).toString()).toBe('1.999999999');
    expect(Quantity.parse('-1.5').wholeShares().toString()).toBe('-1');
  });

  it('refuses unsafe JS numbers as operands', () => {
    expect(() => Money.parse('1').times(0.1)).toThrow(/safe integers/);
  });

  it('keeps a + b − b == a for any decimal strings (property)', () => {
    const dec = fc
      .tuple(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.integer({ min: 0, max: 9 }))
      .map(([n, scale]) => {
        const s = (n < 0n ? -n : n).toString().padStart(scale + 1, '0');
        const text = scale === 0 ? s : `${s.slice(0, -scale)}.${s.slice(-scale)}`;
        return n < 0n ? `-${text}` : text;
      });
    fc.assert(
      fc.property(dec, dec, (a, b) => {
        const x = Money.parse(a);
        expect(x.plus(Money.parse(b)).minus(Money.parse(b)).eq(x)).toBe(true);
        expect(Money.parse(x.toString()).eq(x)).toBe(true);
      }),
    );
  });
});
