import { BoundedMemo, memoisedUnlessRejected } from '../src/bounded-memo';

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

  it('forgets a key only while it still holds the value named', () => {
    const memo = new BoundedMemo<string>(4);
    memo.get('a', () => 'first');
    memo.forget('a', 'other');
    expect(memo.get('a', () => 'second')).toBe('first');
    memo.forget('a', 'first');
    expect(memo.get('a', () => 'second')).toBe('second');
  });

  it('shares a read while it runs and once it succeeds, and reads again after one that failed', async () => {
    const memo = new BoundedMemo<Promise<string>>(4);
    const reads: string[] = [];
    let fail = true;
    const read = () =>
      memoisedUnlessRejected(memo, 'k', async () => {
        reads.push('read');
        if (fail) throw new Error('unavailable');
        return 'value';
      });
    const [a, b] = [read(), read()];
    expect(b).toBe(a);
    await expect(a).rejects.toThrow('unavailable');
    fail = false;
    expect(await read()).toBe('value');
    expect(await read()).toBe('value');
    expect(reads).toEqual(['read', 'read']);
  });

  it('refuses a bound below one entry', () => {
    expect(() => new BoundedMemo<string>(0)).toThrow('a memo holds at least one entry, not 0');
  });
});
