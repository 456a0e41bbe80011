import { createLogger, ManualClock } from '@books/core';
import { parseRuntimeEnv, type Services } from '@books/runtime';
import { testLambdaContext } from '@books/testkit';
import { coordinatorFunction } from '../src/function';

/** Only what the refusal path touches; anything else used would throw. */
function servicesFor(mode: 'alpaca-live' | 'simulated'): Services {
  const env = parseRuntimeEnv({
    BOOKS_STAGE: 'prod',
    BOOKS_TABLE_NAME: 'strategy-books-prod-ledger',
    BOOKS_EXECUTION_QUEUE_NAME: 'strategy-books-prod-execution',
    BOOKS_BROKER_MODE: mode,
  });
  // Test double for dependencies the refusal must not touch: any use throws.
  function unused<T>(): T {
    const handler: ProxyHandler<object> = {
      get: (_t, p) => {
        throw new Error(`unexpected use of ${String(p)}`);
      },
    };
    return new Proxy({}, handler) as T;
  }
  return {
    env,
    clock: new ManualClock('2026-11-24T14:00:00Z'),
    logger: createLogger({ service: 'test' }, { destination: { write: () => undefined } }),
    clients: unused(),
    table: unused(),
    books: unused(),
    runs: unused(),
    intents: unused(),
    trades: unused(),
    recon: unused(),
    queue: unused(),
    bars: undefined,
    broker: unused(),
    flows: unused(),
    controls: unused(),
    controlLedger: unused(),
    events: unused(),
  };
}

describe('the coordinator function', () => {
  it('refuses a chosen trading date against a real account, before touching anything', async () => {
    const plan = coordinatorFunction(servicesFor('alpaca-live'));
    await expect(
      plan(
        { phase: 'plan', executionId: 'manual', trigger: { tradingDate: '2026-11-20' } },
        testLambdaContext(),
      ),
    ).resolves.toEqual({
      proceed: false,
      reason: 'refused: a trading date (2026-11-20) may only be given to a simulated broker, not alpaca-live',
    });
  });

  it('names what is wrong with a malformed event', async () => {
    const plan = coordinatorFunction(servicesFor('alpaca-live'));
    await expect(plan({ phase: 'launch' }, testLambdaContext())).rejects.toThrow(/phase/);
  });
});
