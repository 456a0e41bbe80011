import { BoundedMemo } from '../src/bounded-memo';

describe('a bounded memo', () => {
  it('computes a key once and hands every caller the same value', () => {
    const memo = new BoundedMemo<{ readonly n: number }>(4);
    let computed = 0;
    const first = memo.get('a', () => ({ n: ++computed }));
    const second = memo.get('a', () => ({ n: ++computed }));
    expect(computed).toBe(1);
    expect(second).toBe(first);
  });

  it('forgets the oldest entry beyond its bound, and only that one', () => {
    const memo = new BoundedMemo<string>(2);
    const computed: string[] = [];
    const get = (key: string) =>
      memo.get(key, () => {
        computed.push(key);
        return key.toUpperCase();
      });
    get('a');
    get('b');
    get('c');
    expect(memo.size).toBe(2);
    get('b');
    get('c');
    get('a');
    expect(computed).toEqual(['a', 'b', 'c', 'a']);
  });

  it('refuses a bound below one entry', () => {
    expect(() => new BoundedMemo<string>(0)).toThrow('a memo holds at least one entry, not 0');
  });
});
