import { parseBooksConfig, ValidationError } from '../src';

const valid = {
  capitalPolicy: { mode: 'drift', threshold: '0.10' },
  strategies: [
    { file: 'momentum.clj', allocation: '0.30', flow: 'per-strategy', enabled: true },
    { file: 'mean_reversion.clj', allocation: '0.30', flow: 'legacy' },
    { id: 'breakout', file: 'breakout.clj', allocation: '0.40', flow: 'shadow', enabled: true },
  ],
};

function problems(input: unknown, fileExists?: (f: string) => boolean): string[] {
  try {
    parseBooksConfig(input, { source: 'config.test.json', ...(fileExists ? { fileExists } : {}) });
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

describe('strategy configuration', () => {
  it('parses a valid configuration with defaults and ids derived from file names', () => {
    const config = parseBooksConfig(valid, { source: 'x' });
    expect(config.strategies.map((s) => [s.id, s.allocation.toString(), s.flow, s.enabled])).toEqual([
      ['momentum', '0.3', 'per-strategy', true],
      ['mean_reversion', '0.3', 'legacy', true],
      ['breakout', '0.4', 'shadow', true],
    ]);
    expect(config.capitalPolicy).toMatchObject({ mode: 'drift' });
    expect(config.minTradeNotional.toString()).toBe('1');
    expect(config.runWindowMinutes).toBe(30);
  });

  it('lists every problem at once with its field path', () => {
    const bad = {
      capitalPolicy: { mode: 'drift', threshold: '0.1' },
      strategies: [
        { file: 'a.clj', allocation: '-0.1', flow: 'per-strategy' },
        { file: 'b.clj', allocation: 'ten', flow: 'per-strategy' },
        { file: 'c.clj', allocation: '0.2', flow: 'merged' },
        { file: 'a.clj', allocation: '0.2', flow: 'legacy' },
      ],
    };
    expect(problems(bad)).toEqual([
      'strategies.0.allocation: allocation must not be negative',
      'strategies.1.allocation: allocation must be a decimal string such as "0.25"',
      'strategies.2.flow: must be one of per-strategy, shadow, legacy',
      'strategies.3.file: duplicate file "a.clj" (also strategies.0)',
    ]);
  });

  it('catches a typo such as 0.6 for 0.06 by the allocation sum', () => {
    const typo = {
      strategies: [
        { file: 'a.clj', allocation: '0.6', flow: 'per-strategy' },
        { file: 'b.clj', allocation: '0.47', flow: 'per-strategy' },
      ],
    };
    expect(problems(typo)).toEqual([
      'strategies: allocations sum to 1.07 (> 1): a 0.6 + b 0.47; a typo such as 0.6 for 0.06?',
    ]);
  });

  it('counts disabled and legacy strategies in the allocation sum', () => {
    const over = {
      strategies: [
        { file: 'a.clj', allocation: '0.6', flow: 'legacy' },
        { file: 'b.clj', allocation: '0.6', flow: 'per-strategy', enabled: false },
      ],
    };
    expect(problems(over)[0]).toMatch(/allocations sum to 1.2/);
  });

  it('reports missing files through the injected existence check', () => {
    expect(problems(valid, (f) => f !== 'breakout.clj')).toEqual([
      'strategies.2.file: file "breakout.clj" does not exist',
    ]);
  });

  it('rejects unknown fields, an unknown capital policy and an empty strategy list', () => {
    expect(problems({ strategies: [], capitalPolicy: { mode: 'yolo' }, extra: 1 })).toEqual(
      expect.arrayContaining([
        'capitalPolicy.mode: capitalPolicy.mode must be "drift" or "target"',
        'strategies: at least one strategy is required',
        expect.stringMatching(/extra/),
      ]),
    );
  });

  it('names the source in the error message', () => {
    expect(() => parseBooksConfig({ strategies: 'x' }, { source: 'strategies/config.prod.json' })).toThrow(
      /invalid strategy configuration strategies\/config.prod.json \(1 problem\)/,
    );
  });
});
