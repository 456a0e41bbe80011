import { ValidationError } from '@books/core';
import { fromItem, toItem } from '../src';

describe('attribute codec', () => {
  it('writes strings as S, safe integers as N, and nests lists and maps', () => {
    expect(toItem({ a: '1.50', b: 7, c: true, d: null, e: ['x'], f: { g: 'h' }, skip: undefined })).toEqual({
      a: { S: '1.50' },
      b: { N: '7' },
      c: { BOOL: true },
      d: { NULL: true },
      e: { L: [{ S: 'x' }] },
      f: { M: { g: { S: 'h' } } },
    });
  });

  it('refuses to store a fractional or unsafe JS number', () => {
    expect(() => toItem({ price: 0.1 })).toThrow(ValidationError);
    expect(() => toItem({ big: 2 ** 60 })).toThrow(/safe integers/);
  });

  it('reads N as its exact decimal text, never as a JS number', () => {
    expect(fromItem({ n: { N: '12345678901234567890.000000000001' } })).toEqual({
      n: '12345678901234567890.000000000001',
    });
  });
});
