import { BooksError, createLogger } from '../src';

function capture() {
  const raw: string[] = [];
  const logger = createLogger({ service: 'test' }, { destination: { write: (l: string) => raw.push(l) } });
  return { logger, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/**
 * Classes as a minified bundle (no keepNames) has them: their own `.name` is a mangled letter,
 * the `name` they state is the error's.
 */
class Q extends BooksError {
  static override readonly errorName: string = 'RunCompletionFailed';
}
class W extends Error {
  override readonly name = 'DecimalParseError';
}

describe("the logger's error type", () => {
  it("is the error's name, not its constructor's, for the error and its cause", () => {
    const { logger, lines } = capture();
    const error = new Q('RUN_COMPLETION_FAILED', 'completion failed', {}, { cause: new W('bad decimal') });
    logger.error({ err: error }, 'failed');
    logger.error(error);
    for (const line of lines())
      expect(line.err).toMatchObject({
        type: 'RunCompletionFailed',
        message: 'completion failed',
        code: 'RUN_COMPLETION_FAILED',
        cause: { type: 'DecimalParseError', message: 'bad decimal' },
      });
  });

  it("is each nested error's name: aggregated errors and errors in an error's fields", () => {
    const { logger, lines } = capture();
    const aggregate = new AggregateError([new W('first'), new TypeError('second')], 'several');
    const holder = Object.assign(new Error('holder'), { inner: new Q('X', 'inner failure') });
    logger.warn({ err: aggregate, other: holder }, 'nested');
    const [line] = lines();
    expect(line?.err).toMatchObject({
      type: 'AggregateError',
      aggregateErrors: [
        { type: 'DecimalParseError', message: 'first' },
        { type: 'TypeError', message: 'second' },
      ],
    });
    expect(line?.other).toMatchObject({ type: 'Error', inner: { type: 'RunCompletionFailed' } });
  });

  it('is the constructor’s name when the error has no usable name', () => {
    const { logger, lines } = capture();
    const unnamed = Object.assign(new RangeError('no name'), { name: 42 });
    logger.error({ err: unnamed }, 'odd');
    expect(lines()[0]?.err).toMatchObject({ type: 'RangeError', message: 'no name' });
  });
});
