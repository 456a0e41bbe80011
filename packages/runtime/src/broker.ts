import {
  AlpacaBroker,
  type Broker,
  DynamoDbPaperBrokerStore,
  envKeyProvider,
  PaperBroker,
  parseAlpacaConfig,
  ssmKeyProvider,
} from '@books/broker';
import { type Clock, type Logger, Money } from '@books/core';
import type { BarStore } from '@books/market-data';
import type { AwsClients } from './clients';
import type { RuntimeEnv } from './env';
import { barAssets, barCalendar, barClosePrices } from './simulated-market';

export interface BrokerContext {
  readonly env: RuntimeEnv;
  readonly clients: AwsClients;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Needed by the simulated broker, which trades at the bars' closes. */
  readonly bars?: BarStore;
  /** The raw environment, for Alpaca keys given as variables (never logged). */
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  /** This function's share of the account's request budget (requests per minute). */
  readonly requestsPerMinute?: number;
}

/**
 * The broker a stage trades with: Alpaca's paper or live API (keys from SSM when a prefix is set,
 * else from ALPACA_API_KEY_ID / ALPACA_API_SECRET_KEY), or the embedded simulator whose account
 * lives in DynamoDB so that every process of a local run sees one account.
 */
export async function createBroker(ctx: BrokerContext): Promise<Broker> {
  const { env } = ctx;
  if (env.BOOKS_BROKER_MODE === 'simulated') {
    if (!ctx.bars) throw new Error('the simulated broker needs a bar store (BOOKS_BARS)');
    const store = new DynamoDbPaperBrokerStore({
      client: ctx.clients.dynamodb,
      tableName: `strategy-books-${env.BOOKS_STAGE}-paper-broker`,
    });
    await store.ensureTable();
    return new PaperBroker({
      store,
      prices: barClosePrices(ctx.bars),
      assets: barAssets(ctx.bars),
      calendar: await barCalendar(ctx.bars),
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
    requestsPerMinute: ctx.requestsPerMinute ?? env.BOOKS_BROKER_REQUESTS_PER_MINUTE,
  });
  return new AlpacaBroker(config, {
    keys: prefix ? ssmKeyProvider(ctx.clients.ssm, prefix) : envKeyProvider(ctx.processEnv),
    clock: ctx.clock,
    logger: ctx.logger,
  });
}
