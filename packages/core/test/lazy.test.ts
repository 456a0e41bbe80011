import * as z from 'zod';
import { deferredSchema, lazySchema } from '../src';

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

describe('deferredSchema', () => {
  const build = () =>
    z.object({ n: z.number().int().min(1, 'n is at least one'), s: z.string().transform((t) => t.length) });

  it('builds nothing until its first parse, then builds once for every parse and unwrap', () => {
    let builds = 0;
    const Schema = deferredSchema(() => {
      builds++;
      return build();
    });
    expect(builds).toBe(0);
    expect(Schema.parse({ n: 1, s: 'abc' })).toEqual({ n: 1, s: 3 });
    expect(Schema.safeParse({ n: 2, s: '' }).success).toBe(true);
    expect(Schema.unwrap()).toBe(Schema.unwrap());
    expect(Object.keys(Schema.unwrap().shape)).toEqual(['n', 's']);
    expect(builds).toBe(1);
  });

  it('parses and fails as the schema it defers: the same data, issues and messages', () => {
    const Deferred = deferredSchema(build);
    const Eager = build();
    for (const input of [{ n: 3, s: 'xy' }, { n: 0, s: 'x' }, { n: 1.5 }, 'not an object', { n: 1, s: 1 }]) {
      const deferred = Deferred.safeParse(input);
      const eager = Eager.safeParse(input);
      expect(deferred.success).toBe(eager.success);
      expect(deferred.data).toEqual(eager.data);
      expect(deferred.error?.issues).toEqual(eager.error?.issues);
    }
    expect(() => Deferred.parse({ n: 0, s: '' })).toThrow('n is at least one');
  });

  it('nests in another schema as the schema it defers', () => {
    const Outer = z.object({ inner: deferredSchema(build).optional() });
    expect(Outer.parse({})).toEqual({});
    expect(Outer.parse({ inner: { n: 1, s: 'a' } })).toEqual({ inner: { n: 1, s: 1 } });
    expect(Outer.safeParse({ inner: { n: 0, s: 'a' } }).error?.issues[0]?.path).toEqual(['inner', 'n']);
  });
});
