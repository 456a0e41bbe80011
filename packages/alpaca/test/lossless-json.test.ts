import { JsonNumber, JsonSyntaxError, parseJsonLossless } from '../src';

describe('parseJsonLossless', () => {
  it('keeps every digit of a number that a float64 would round', () => {
    const parsed = parseJsonLossless('{"p":187.12345678901234567890123,"s":100}');
    expect(parsed).toEqual({ p: new JsonNumber('187.12345678901234567890123'), s: new JsonNumber('100') });
  });

  it.each([
    ['0.1', '0.1'],
    ['-12.50', '-12.5'],
    ['1.5e-3', '0.0015'],
    ['2E+2', '200'],
    ['0', '0'],
  ])('reads the number %s as the exact decimal %s', (source, decimal) => {
    const parsed = parseJsonLossless(`[${source}]`);
    expect(Array.isArray(parsed) && parsed[0] instanceof JsonNumber && parsed[0].toDecimalString()).toBe(
      decimal,
    );
  });

  it('parses strings with escapes, literals, nesting and whitespace like JSON.parse', () => {
    const text = ' { "a" : [ true , false , null , "x\\"y\\u00e9" ] , "b" : { } , "c" : [ ] } ';
    expect(parseJsonLossless(text)).toEqual(JSON.parse(text));
  });

  it('leaves strings alone, digits and escaped quotes included', () => {
    expect(parseJsonLossless('{"t":"2024-01-02T05:00:00Z","q":"say \\"42\\"","n":null,"b":true}')).toEqual({
      t: '2024-01-02T05:00:00Z',
      q: 'say "42"',
      n: null,
      b: true,
    });
  });

  it('treats a "__proto__" key as data', () => {
    const parsed = parseJsonLossless('{"__proto__":{"polluted":true}}');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed ?? {})).toEqual(['__proto__']);
  });

  it.each(['', '{', '[1,]', '{"a":1,}', '01', '1.', 'tru', '"open', '{"a":1} x', 'NaN'])(
    'rejects the invalid document %j',
    (text) => {
      expect(() => parseJsonLossless(text)).toThrow(JsonSyntaxError);
    },
  );
});
