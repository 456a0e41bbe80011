import type * as Core from '@books/core';
import { loadCountingZodSchemas, stopCountingZodSchemas } from '@books/testkit';
import type * as Ledger from '../src';

/**
 * A function's cold start loads the whole ledger client and decodes a few kinds of item: the item
 * codecs' zod schemas are built at their first decode (lazySchema, deferredSchema), not at load.
 */

afterEach(stopCountingZodSchemas);

/** A fresh ledger client (and a fresh zod), with the schemas its own modules build as it loads. */
function loadLedgerClient(): {
  readonly ledger: typeof Ledger;
  readonly core: typeof Core;
  readonly built: () => number;
} {
  const fresh = loadCountingZodSchemas(
    // Its dependencies first: their schemas are not the ledger client's.
    (): typeof Core => {
      const core: typeof Core = require('@books/core');
      require('@books/portfolio');
      return core;
    },
    (): typeof Ledger => require('../src'),
  );
  return { ledger: fresh.loaded, core: fresh.dependencies, built: fresh.built };
}

describe('the item codecs of a freshly loaded ledger client', () => {
  it('are not built as the package loads: it builds a handful of schemas (status enums, deferred wrappers), not its ~300', () => {
    const { built } = loadLedgerClient();
    expect(built()).toBeLessThanOrEqual(12);
  });

  it('build a record schema at its first decode, then reuse it', () => {
    const { ledger, core, built } = loadLedgerClient();
    const item = ledger.encodeCash({
      strategyId: core.StrategyId('momentum'),
      cash: core.Money.parse('1000.50'),
      realizedPnl: core.Money.parse('-2'),
      version: 3,
      updatedAt: '2026-11-24T20:30:00.000Z',
    });
    const atLoad = built();
    const first = ledger.decodeCash(item);
    const afterFirst = built();
    expect(ledger.decodeCash(item)).toEqual(first);
    expect(first.cash.toString()).toBe('1000.5');
    expect(afterFirst).toBeGreaterThan(atLoad);
    expect(built()).toBe(afterFirst);
  });
});
