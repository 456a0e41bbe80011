import { clientOrderIdFor, RunId, StrategyId, Symbol } from '@books/core';
import { loadCountingZodSchemas, stopCountingZodSchemas } from '@books/testkit';
import type * as Queue from '../src';

/**
 * Every function that plans or executes loads the queue package, and only execution parses an
 * execution message: the message schema is built at its first parse (deferredSchema), not as the
 * package loads.
 */

afterEach(stopCountingZodSchemas);

interface Loaded {
  readonly queue: typeof Queue;
  readonly built: () => number;
  /** The package's exported schemas that are lazy wrappers (`z.lazy`). */
  readonly lazyExports: number;
}

/** A fresh queue package (and a fresh zod), counting the schemas built once its dependencies are loaded. */
function loadQueue(): Loaded {
  const fresh = loadCountingZodSchemas(
    // Its dependencies first: their schemas are not the package's.
    () => {
      require('@books/core');
      require('@books/portfolio');
    },
    (): typeof Queue => require('../src'),
  );
  return { queue: fresh.loaded, built: fresh.built, lazyExports: fresh.lazyExports(fresh.loaded) };
}

const runId = RunId('local-2025-03-03');
const strategyId = StrategyId('momentum');
const symbol = Symbol('SPY');
const body = JSON.stringify({
  type: 'StrategyExecutionRequested',
  version: 1,
  flow: 'per-strategy',
  run_id: runId,
  strategy_id: strategyId,
  dsl_file: 'momentum.clj',
  allocation: '0.3',
  trade: { symbol, direction: 'BUY', target_qty: '2', target_value: '1000' },
  strategy_capital: '30000',
  correlation_id: 'local-2025-03-03/momentum',
  timestamp: '2025-03-03T20:30:00.000Z',
  leg: 0,
  client_order_id: clientOrderIdFor({ runId, strategyId, symbol, side: 'buy', leg: 0 }),
});

describe('the execution message schema of a freshly loaded queue package', () => {
  it('is one lazy wrapper as the package loads, none of its fields', () => {
    const { built, lazyExports } = loadQueue();
    expect(lazyExports).toBe(1);
    expect(built()).toBe(lazyExports);
  });

  it('is built at the first parse, then reused', () => {
    const { queue, built } = loadQueue();
    const atLoad = built();
    const first = queue.parseExecutionMessage('m-1', body);
    const afterFirst = built();
    expect(afterFirst).toBeGreaterThan(atLoad);
    expect(queue.parseExecutionMessage('m-2', body)).toEqual(first);
    expect(first.trade.target_qty.toString()).toBe('2');
    expect(built()).toBe(afterFirst);
    expect(() => queue.parseExecutionMessage('m-3', body.replace('"leg":0', '"leg":-1'))).toThrow(
      'malformed execution message m-3: leg: Too small: expected number to be >=0',
    );
  });
});
