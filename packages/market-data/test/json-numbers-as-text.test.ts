import { parseJsonNumbersAsText } from '../src/json-numbers-as-text';

describe('parseJsonNumbersAsText', () => {
  it('reads every number as its exact source text', () => {
    expect(
      parseJsonNumbersAsText('{"c":0.1000000000000000055511151231257827,"v":-12,"e":1.5E-3,"a":[1,2.50]}'),
    ).toEqual({
      c: '0.1000000000000000055511151231257827',
      v: '-12',
      e: '1.5E-3',
      a: ['1', '2.50'],
    });
  });

  it('leaves strings alone, digits and escaped quotes included', () => {
    expect(
      parseJsonNumbersAsText('{"t":"2024-01-02T05:00:00Z","q":"say \\"42\\"","n":null,"b":true}'),
    ).toEqual({
      t: '2024-01-02T05:00:00Z',
      q: 'say "42"',
      n: null,
      b: true,
    });
  });

  it.each(['{"c":01}', '{"c":1.}', '{"c":1.2.3}', '{"c":', '{"c":"x}'])('rejects invalid JSON %s', (text) => {
    expect(() => parseJsonNumbersAsText(text)).toThrow(SyntaxError);
  });
});
