import { parseBooksConfig, ValidationError } from '../src';

const entry = (file: string, allocation: unknown, extra: Record<string, unknown> = {}) => ({
  file,
  allocation,
  flow: 'per-strategy',
  ...extra,
});

/** Every issue as `path: message`, or [] when the input parses; the error names its source. */
function problems(input: unknown): string[] {
  try {
    parseBooksConfig(input, { source: 'strategies/config.dev.json' });
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    expect(e.message).toContain('invalid strategy configuration strategies/config.dev.json');
    return e.issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

describe('invalid strategy configurations', () => {
  it.each([
    ['above 1', '1.5', 'allocation must be at most 1 (the whole account)'],
    ['negative', '-0.1', 'allocation must not be negative'],
    ['a JSON number', 0.1, 'allocation must be a decimal string such as "0.25"'],
    ['not a number', 'ten', 'allocation must be a decimal string such as "0.25"'],
    ['in exponent notation', '1e-2', 'allocation must be a decimal string such as "0.25"'],
    ['empty', '', 'allocation must be a decimal string such as "0.25"'],
    ['null', null, 'allocation must be a decimal string such as "0.25"'],
    ['NaN', 'NaN', 'allocation must be a decimal string such as "0.25"'],
    [
      '10,000 digits long',
      '1'.repeat(10_000),
      'allocation must be a decimal string of at most 40 characters',
    ],
  ])('names the strategy field of an allocation that is %s', (_, allocation, message) => {
    const found = problems({ strategies: [entry('ok.clj', '0.1'), entry('bad.clj', allocation)] });
    expect(found).toContain(`strategies.1.allocation: ${message}`);
    expect(found.every((p) => p.length < 300)).toBe(true);
  });

  it('catches 0.6 typed for 0.06 by the sum, naming every strategy and its share', () => {
    expect(
      problems({ strategies: [entry('a.clj', '0.6'), entry('b.clj', '0.25'), entry('c.clj', '0.25')] }),
    ).toEqual([
      'strategies: allocations sum to 1.1 (> 1): a 0.6 + b 0.25 + c 0.25; a typo such as 0.6 for 0.06?',
    ]);
  });

  it.each([
    [
      'a misspelt field',
      entry('a.clj', '0.1', { allocaton: '0.1' }),
      'strategies.0: Unrecognized key: "allocaton"',
    ],
    [
      'a misspelt flow',
      entry('a.clj', '0.1', { flow: 'lgacy' }),
      'strategies.0.flow: must be one of per-strategy, shadow, legacy',
    ],
    [
      'an absolute file',
      entry('/etc/a.clj', '0.1'),
      'strategies.0.file: file must be a relative path to a .clj file',
    ],
    [
      'a file outside the strategies directory',
      entry('../secrets/a.clj', '0.1'),
      'strategies.0.file: file must stay inside the strategies directory (no "..")',
    ],
    [
      'an id that is not one',
      entry('a.clj', '0.1', { id: 'Bad Id!' }),
      'strategies.0.id: lower-case letters, digits, "_" and "-", at most 63 characters',
    ],
    [
      'the reserved EXTERNAL id',
      entry('a.clj', '0.1', { id: 'EXTERNAL' }),
      'strategies.0.id: "EXTERNAL" is reserved',
    ],
    [
      'enabled as a string',
      entry('a.clj', '0.1', { enabled: 'yes' }),
      'strategies.0.enabled: Invalid input: expected boolean, received string',
    ],
  ])('names the field of %s', (_, strategy, problem) => {
    expect(problems({ strategies: [strategy] })).toEqual([problem]);
  });

  it.each([
    [
      'a negative minimum trade',
      { minTradeNotional: '-1' },
      'minTradeNotional: minTradeNotional must not be negative',
    ],
    [
      'a zero drift threshold',
      { capitalPolicy: { mode: 'drift', threshold: '0' } },
      'capitalPolicy.threshold: threshold must be positive',
    ],
    [
      'a run window given as text',
      { runWindowMinutes: '30' },
      'runWindowMinutes: Invalid input: expected number, received string',
    ],
    [
      'a run window longer than a session',
      { runWindowMinutes: 391 },
      'runWindowMinutes: Too big: expected number to be <=390',
    ],
  ])('names the top-level field of %s', (_, top, problem) => {
    expect(problems({ ...top, strategies: [entry('a.clj', '0.1')] })).toEqual([problem]);
  });

  it.each([
    ['null', null, ': Invalid input: expected object, received null'],
    ['a string', 'strategies', ': Invalid input: expected object, received string'],
    ['an array', [], ': Invalid input: expected object, received array'],
    [
      'strategies that are not a list',
      // A string, not an object: zod names an object's type by its realm (Object or object under jest).
      { strategies: 'SPY' },
      'strategies: Invalid input: expected array, received string',
    ],
  ])('rejects a document that is %s', (_, input, problem) => {
    expect(problems(input)).toEqual([problem]);
  });
});
