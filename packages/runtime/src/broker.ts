import { GetParameterCommand } from '@aws-sdk/client-ssm';
import {
  AlpacaBroker,
  type Broker,
  DynamoDbPaperBrokerStore,
  envKeyProvider,
  PaperBroker,
  parseAlpacaConfig,
  type RequestBudget,
  realSleep,
  SharedRequestBudget,
  type Sleep,
  ssmKeyProvider,
} from '@books/broker';
import { type Clock, type Logger, Money, systemClock } from '@books/core';
import { BrokerBudgetRepository, LedgerTable } from '@books/ledger-client';
import type { BarStore } from '@books/market-data';
import type { AwsClients } from './clients';
import type { RuntimeEnv } from './env';
import { simulatedMarket } from './simulated-market';

export interface BrokerContext {
  readonly env: RuntimeEnv;
  readonly clients: AwsClients;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Needed by the simulated broker, which trades at the bars' closes. */
  readonly bars?: BarStore;
  /** The raw environment, for Alpaca keys given as variables (never logged). */
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  /** The calling function, named to the broker in the User-Agent header. */
  readonly caller?: string;
}

/**
 * The account's one broker request budget (BOOKS_BROKER_REQUESTS_PER_MINUTE, Alpaca: 200/min),
 * counted in the ledger table so every function and instance draws from the same minute. Counted
 * on the wall clock (`clock` defaults to it): the broker's limit is real time, whatever clock the
 * function trades on.
 */
export function accountRequestBudget(
  table: LedgerTable,
  perMinute: number,
  deps: {
    readonly logger: Logger;
    readonly clock?: Clock;
    readonly sleep?: Sleep;
    /** The end-of-window guard (SharedRequestBudget's default when absent). */
    readonly guardMs?: number;
  },
): RequestBudget {
  return new SharedRequestBudget({
    store: new BrokerBudgetRepository(table),
    perMinute,
    clock: deps.clock ?? systemClock,
    sleep: deps.sleep ?? realSleep,
    logger: deps.logger,
    ...(deps.guardMs === undefined ? {} : { guardMs: deps.guardMs }),
  });
}

/**
 * The simulated broker's account on the stage: its table, `strategy-books-<stage>-paper-broker`,
 * is provisioned by `ensureTable` (the embedded stage does, with its other tables), else created by
 * the first operation that finds it missing.
 */
export function simulatedBrokerStore(env: RuntimeEnv, clients: AwsClients): DynamoDbPaperBrokerStore {
  return new DynamoDbPaperBrokerStore({
    client: clients.dynamodb,
    tableName: `strategy-books-${env.BOOKS_STAGE}-paper-broker`,
  });
}

/**
 * The broker a stage trades with: Alpaca's paper or live API (keys from SSM when a prefix is set,
 * else from ALPACA_API_KEY_ID / ALPACA_API_SECRET_KEY), or the embedded simulator whose account
 * lives in DynamoDB so that every process of a local run sees one account. Neither sends a call
 * to be built: the first goes out with the broker's first request.
 */
export async function createBroker(ctx: BrokerContext): Promise<Broker> {
  const { env } = ctx;
  if (env.BOOKS_BROKER_MODE === 'simulated') {
    if (!ctx.bars) throw new Error('the simulated broker needs a bar store (BOOKS_BARS)');
    const store = simulatedBrokerStore(env, ctx.clients);
    // Built without a call: the store's first operation goes out unchecked (a missing table is
    // created when that operation finds it missing), and the market
    // reads the bars (the calendar, prices, assets) when the broker first needs them. A missing
    // bars directory fails that first call with the bar store's error (see simulatedMarket), where
    // it failed this construction before; a function that never reads the market never reads it.
    const market = simulatedMarket(ctx.bars);
    return new PaperBroker({
      store,
      prices: market.prices,
      assets: market.assets,
      calendar: market.calendar,
      clock: ctx.clock,
      initialCash: Money.parse(env.BOOKS_SIMULATED_CASH),
      slippageBps: env.BOOKS_SIMULATED_SLIPPAGE_BPS,
      logger: ctx.logger,
    });
  }
  const prefix = env.BOOKS_ALPACA_KEY_SSM_PREFIX;
  const config = parseAlpacaConfig({
    mode: env.BOOKS_BROKER_MODE === 'alpaca-live' ? 'live' : 'paper',
    feed: env.BOOKS_ALPACA_FEED,
    keys: prefix ? { source: 'ssm', prefix } : { source: 'env' },
    requestsPerMinute: env.BOOKS_BROKER_REQUESTS_PER_MINUTE,
  });
  return new AlpacaBroker(config, {
    // The SSM client is made on the first key read (the broker's first request), not here.
    keys: prefix
      ? ssmKeyProvider({ send: (command) => ctx.clients.ssm.send(command) }, prefix, GetParameterCommand)
      : envKeyProvider(ctx.processEnv),
    clock: ctx.clock,
    logger: ctx.logger,
    budget: accountRequestBudget(
      new LedgerTable(ctx.clients.dynamodb, env.BOOKS_TABLE_NAME),
      env.BOOKS_BROKER_REQUESTS_PER_MINUTE,
      { logger: ctx.logger },
    ),
    ...(ctx.caller ? { userAgent: `strategy-books/${ctx.caller}` } : {}),
  });
}
