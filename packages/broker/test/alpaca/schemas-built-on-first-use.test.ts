import { loadCountingZodSchemas, stopCountingZodSchemas } from '@books/testkit';
import type * as Activities from '../../src/activities';
import type * as AlpacaBroker from '../../src/alpaca/alpaca-broker';
import type * as Config from '../../src/alpaca/config';
import type * as Payloads from '../../src/alpaca/payloads';

/**
 * Every function bundles the Alpaca adapter and the activity reader, and most never read an Alpaca
 * payload, its configuration or an activity row on a cold start (the embedded stack's simulated
 * broker): their zod schemas are built at their first parse (deferredSchema, lazySchema), not as
 * the modules load.
 */

afterEach(stopCountingZodSchemas);

interface Loaded {
  readonly payloads: typeof Payloads;
  readonly config: typeof Config;
  readonly activities: typeof Activities;
  readonly built: () => number;
  /** The exported schemas of those modules that are lazy wrappers (`z.lazy`). */
  readonly lazyExports: number;
}

/** The adapter's modules loaded afresh (with a fresh zod), counting the schemas built once their dependencies are loaded. */
function loadAdapter(): Loaded {
  const fresh = loadCountingZodSchemas(
    // Its dependencies first: their schemas are not the adapter's.
    () => {
      require('@books/core');
      require('@books/alpaca');
    },
    () => {
      const broker: typeof AlpacaBroker = require('../../src/alpaca/alpaca-broker');
      const payloads: typeof Payloads = require('../../src/alpaca/payloads');
      const config: typeof Config = require('../../src/alpaca/config');
      const activities: typeof Activities = require('../../src/activities');
      return { broker, payloads, config, activities };
    },
  );
  const { broker, payloads, config, activities } = fresh.loaded;
  return {
    payloads,
    config,
    activities,
    built: fresh.built,
    lazyExports: fresh.lazyExports(payloads, config, activities, broker),
  };
}

/** The schemas a call builds: the count after it less the count before. */
function builtBy(loaded: Loaded, call: () => unknown): number {
  const before = loaded.built();
  call();
  return loaded.built() - before;
}

describe('the Alpaca adapter and the activity reader, freshly loaded', () => {
  it('build one lazy wrapper per exported schema as they load (12 payloads, the config, the envelope), none of the schemas', () => {
    const { built, lazyExports } = loadAdapter();
    expect(lazyExports).toBe(14);
    expect(built()).toBe(lazyExports);
  });

  it('build a payload’s schemas at its first parse, then reuse them', () => {
    const loaded = loadAdapter();
    const { parsePayload, AccountPayload } = loaded.payloads;
    const body = { equity: '1000.5', cash: '250', buying_power: '500' };
    let first: unknown;
    expect(
      builtBy(loaded, () => (first = parsePayload(AccountPayload, body, 'GET /v2/account'))),
    ).toBeGreaterThan(0);
    expect(
      builtBy(loaded, () => expect(parsePayload(AccountPayload, body, 'GET /v2/account')).toEqual(first)),
    ).toBe(0);
    expect(() => parsePayload(AccountPayload, { ...body, cash: null }, 'GET /v2/account')).toThrow(
      'cash: expected a decimal, got null',
    );
  });

  it('build the configuration’s schema at its first parse, then reuse it', () => {
    const loaded = loadAdapter();
    const { parseAlpacaConfig } = loaded.config;
    expect(builtBy(loaded, () => parseAlpacaConfig({ mode: 'live' }))).toBeGreaterThan(0);
    expect(
      builtBy(loaded, () => expect(parseAlpacaConfig({}).tradingUrl).toBe(loaded.config.ALPACA_PAPER_URL)),
    ).toBe(0);
  });

  it('build the activity row’s schema at the first row read, then reuse it', () => {
    const loaded = loadAdapter();
    const row = {
      id: '20240315::a',
      activity_type: 'DIV',
      date: '2024-03-15',
      symbol: 'SPY',
      net_amount: '1.5',
    };
    expect(builtBy(loaded, () => loaded.activities.toActivity(row))).toBeGreaterThan(0);
    expect(builtBy(loaded, () => expect(loaded.activities.toActivity(row).kind).toBe('dividend'))).toBe(0);
  });
});
