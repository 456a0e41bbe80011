import * as z from 'zod';
import { lazySchema } from '../src';

describe('lazySchema', () => {
  it('builds nothing until its first use, then builds once and keeps the value', () => {
    let builds = 0;
    const Schema = lazySchema(() => {
      builds++;
      return z.object({ n: z.number() });
    });
    expect(builds).toBe(0);
    expect(Schema().parse({ n: 1 })).toEqual({ n: 1 });
    expect(Schema()).toBe(Schema());
    expect(builds).toBe(1);
  });

  it('builds again after a build that threw (nothing half-built is kept)', () => {
    let attempts = 0;
    const Schema = lazySchema(() => {
      attempts++;
      if (attempts === 1) throw new Error('first build fails');
      return z.string();
    });
    expect(() => Schema()).toThrow('first build fails');
    expect(Schema().parse('x')).toBe('x');
    expect(attempts).toBe(2);
  });
});
