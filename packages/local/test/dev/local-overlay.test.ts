import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localClock, withLocalStack } from '@books/runtime';
import { setSimulatedClock } from '../../src/dev/run-via-offline';

describe('the local overlay under serverless-offline', () => {
  const root = mkdtempSync(join(tmpdir(), 'books-overlay-'));
  const home = join(root, '.books');
  beforeAll(() => {
    mkdirSync(home, { recursive: true });
    writeFileSync(
      join(home, 'stack.json'),
      JSON.stringify({
        stage: 'local',
        dynamodb: { endpoint: 'http://127.0.0.1:8000' },
        sqs: { endpoint: 'http://127.0.0.1:9324' },
      }),
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const deployed = {
    BOOKS_STAGE: 'dev',
    BOOKS_TABLE_NAME: 'strategy-books-dev-ledger',
    BOOKS_BROKER_MODE: 'alpaca-paper',
    BOOKS_BARS: 's3://strategy-books-dev-bars/bars/',
    BOOKS_FLOW_FLAGS: 'ssm:/strategy-books/dev/flows',
    BOOKS_CONTROLS: 'ssm:/strategy-books/dev/controls',
    BOOKS_RECONCILER_FUNCTION: 'strategy-books-dev-reconciler',
  };

  it('binds a function to the recorded embedded stack, the simulated broker and local files', () => {
    const env = withLocalStack({ ...deployed, IS_OFFLINE: 'true', BOOKS_HOME: home });
    expect(env).toMatchObject({
      BOOKS_STAGE: 'local',
      BOOKS_TABLE_NAME: 'strategy-books-local-ledger',
      BOOKS_EXECUTION_QUEUE_NAME: 'strategy-books-local-execution',
      BOOKS_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      BOOKS_SQS_ENDPOINT: 'http://127.0.0.1:9324',
      BOOKS_BROKER_MODE: 'simulated',
      BOOKS_BARS: join(home, 'sample-bars'),
      BOOKS_STRATEGIES_DIR: join(root, 'strategies'),
      BOOKS_FLOW_FLAGS: `file:${join(home, 'flow-flags.local.json')}`,
      BOOKS_CONTROLS: `file:${join(home, 'controls.local.json')}`,
    });
    // No Lambda endpoint of its own: invoking the reconciler would reach AWS, so it is not asked.
    expect(env.BOOKS_RECONCILER_FUNCTION).toBeUndefined();
  });

  it('lets a function invoke another only through a loopback Lambda endpoint', () => {
    const env = withLocalStack({
      ...deployed,
      IS_OFFLINE: 'true',
      BOOKS_HOME: home,
      AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:3002',
    });
    expect(env.BOOKS_RECONCILER_FUNCTION).toBe('strategy-books-dev-reconciler');
  });

  it('leaves a deployed function’s environment alone', () => {
    expect(withLocalStack({ ...deployed, BOOKS_HOME: home })).toEqual({ ...deployed, BOOKS_HOME: home });
    expect(localClock({ ...deployed, BOOKS_HOME: home })).toBeUndefined();
  });

  it('runs local functions on the simulated clock file, following each rewrite', () => {
    const env = withLocalStack({ ...deployed, IS_OFFLINE: 'true', BOOKS_HOME: home });
    const clock = localClock(env);
    if (!clock) throw new Error('no local clock');
    expect(clock.now().getUTCFullYear()).toBeGreaterThan(2025);
    setSimulatedClock(home, new Date('2024-03-15T19:30:00Z'));
    expect(clock.now().toISOString()).toBe('2024-03-15T19:30:00.000Z');
    setSimulatedClock(home, new Date('2024-03-18T19:30:00Z'));
    expect(clock.now().toISOString()).toBe('2024-03-18T19:30:00.000Z');
  });
});
