import { BooksError, createLogger, Money, registerSecret } from '../src';

function capture(level = 'trace') {
  const raw: string[] = [];
  const logger = createLogger(
    { service: 'test' },
    { level, destination: { write: (l: string) => raw.push(l) } },
  );
  return {
    logger,
    text: () => raw.join(''),
    lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('the logger keeps secrets out', () => {
  it.each([
    ['an Alpaca header, upper case', { headers: { 'APCA-API-SECRET-KEY': 'v-secret-1' } }],
    [
      'an Alpaca key id header, nested deep',
      { a: { b: { c: { request: { headers: { 'Apca-Api-Key-Id': 'v-secret-2' } } } } } },
    ],
    ['an authorization header', { req: { headers: { Authorization: 'Bearer v-secret-3' } } }],
    ['secretKey in a config', { config: { alpaca: { keyId: 'v-secret-4', secretKey: 'v-secret-5' } } }],
    ['keys in an array', { attempts: [{ apiKey: 'v-secret-6' }, { access_key: 'v-secret-7' }] }],
    ['an SSM-looking credential', { creds: { AccessKeyId: 'v-secret-8', SessionToken: 'v-secret-9' } }],
  ])('censors %s by its key name at any depth and in any case', (_, fields) => {
    const { logger, text } = capture();
    logger.info(fields, 'with secrets');
    expect(text()).not.toMatch(/v-secret-\d/);
    expect(text()).toContain('[redacted]');
  });

  it('censors sensitive fields of an error, of its cause and of its context', () => {
    const { logger, lines, text } = capture();
    const cause = Object.assign(new Error('inner'), { headers: { 'apca-api-secret-key': 'v-secret-10' } });
    const error = new BooksError('BROKER', 'outer failure', { secretKey: 'v-secret-11' }, { cause });
    logger.error({ err: error }, 'failed');
    logger.error(error);
    expect(text()).not.toMatch(/v-secret-1[01]/);
    // The error is still there to read: type, message and stack.
    const [line] = lines();
    expect(line?.err).toMatchObject({
      type: 'BooksError',
      message: expect.stringContaining('outer failure'),
    });
    expect(JSON.stringify(line?.err ?? {})).toContain('"stack":"BooksError: outer failure');
  });

  it('scrubs a registered secret value from anywhere in a line: messages, error texts, unknown fields', () => {
    const secret = 'Reg1stered-"secret"\\value';
    registerSecret(secret);
    const { logger, text } = capture();
    logger.warn({ note: `echoed ${secret} by a proxy` }, `the body said ${secret}`);
    logger.error({ err: new Error(`HTTP 500: header apca-api-secret-key: ${secret}`) }, 'failed');
    logger.child({ binding: secret }).info('child');
    expect(text()).not.toContain(secret);
    expect(text()).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(text()).toContain('the body said [redacted]');
  });

  it('leaves ordinary fields, decimals and short values alone', () => {
    registerSecret('short');
    const { logger, lines } = capture();
    logger.info(
      { endpoint: 'GET /v2/account', status: 500, cash: Money.parse('12.30'), note: 'short' },
      'ok',
    );
    expect(lines()[0]).toMatchObject({
      endpoint: 'GET /v2/account',
      status: 500,
      cash: '12.3',
      note: 'short',
    });
  });

  it('writes an object referenced twice in full, and a cycle once', () => {
    const { logger, lines } = capture();
    const shared = { symbol: 'SPY' };
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    logger.info({ a: shared, b: shared, cyclic }, 'refs');
    expect(lines()[0]).toMatchObject({
      a: { symbol: 'SPY' },
      b: { symbol: 'SPY' },
      cyclic: { name: 'loop', self: '[…]' },
    });
  });
});
