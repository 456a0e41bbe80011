import type { S3Client } from '@aws-sdk/client-s3';
import {
  type GetParameterCommandClass,
  type KeyProvider,
  keyProviderFor,
  keySourceOf,
  LatestTradeFeedSchema,
  type SsmParameterClient,
} from '@books/alpaca';
import {
  BooksError,
  type Clock,
  formatIssues,
  type LambdaContext,
  type Logger,
  lazySchema,
  marketDateOf,
  SymbolSchema,
  TradingDate,
  TradingDateSchema,
  ValidationError,
} from '@books/core';
import * as z from 'zod';
import { AlpacaBarsClient, AlpacaDataConfigSchema } from './alpaca-bars-client';
import { type RefreshOutcome, type RefreshReport, refreshBars } from './data-refresh';
import { type S3BarCommands, S3BarStore } from './s3-bar-store';

/**
 * dataRefresh's environment, built at its first parse (lazySchema): the other functions' bundles hold
 * this module too, and never parse it.
 */
const DataRefreshEnvSchema = lazySchema(() => {
  const symbolList = z
    .string()
    .default('')
    .transform((text) => text.split(/[\s,]+/).filter((s) => s !== ''))
    .pipe(z.array(SymbolSchema));

  /** An unset or empty variable (a deploy may pass '') is absent. */
  const optionalText = z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : v));

  return z
    .object({
      /** Where the bars live: `s3://bucket/prefix` (the same variable the other functions read). */
      BOOKS_BARS: z
        .string()
        .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'an S3 location s3://bucket/prefix')
        .transform((url) => {
          const [bucket = '', ...rest] = url.slice('s3://'.length).split('/');
          return { bucket, prefix: rest.join('/') };
        }),
      /** Symbols to keep refreshed beyond those already in the store (comma or space separated). */
      BOOKS_BARS_SYMBOLS: symbolList,
      BOOKS_BARS_HISTORY_START: TradingDateSchema.optional(),
      /** The latest-trades feed of the other functions; daily bars always come from SIP. */
      BOOKS_ALPACA_FEED: LatestTradeFeedSchema.default('iex'),
      BOOKS_ALPACA_DATA_URL: z.url().optional(),
      /**
       * Where the Alpaca keys are: SSM SecureString parameters `<prefix>/api-key-id` and
       * `<prefix>/api-secret-key`, read at run time (deployed, like every other function). Without it,
       * ALPACA_API_KEY_ID and ALPACA_API_SECRET_KEY (local runs).
       */
      BOOKS_ALPACA_KEY_SSM_PREFIX: optionalText,
      /** Point the S3 and SSM clients at the embedded stack instead of AWS. */
      BOOKS_S3_ENDPOINT: z.url().optional(),
      BOOKS_SSM_ENDPOINT: z.url().optional(),
      BOOKS_REGION: z.string().default('us-east-1'),
      BOOKS_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
      ALPACA_API_KEY_ID: optionalText,
      ALPACA_API_SECRET_KEY: optionalText,
    })
    .superRefine((env, ctx) => {
      if (env.BOOKS_ALPACA_KEY_SSM_PREFIX !== undefined) return;
      for (const name of ['ALPACA_API_KEY_ID', 'ALPACA_API_SECRET_KEY'] as const)
        if (env[name] === undefined)
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `${name} is required when BOOKS_ALPACA_KEY_SSM_PREFIX is not set`,
          });
    });
});

export type DataRefreshEnv = z.output<ReturnType<typeof DataRefreshEnvSchema>>;

/** The environment of the dataRefresh function, validated at cold start; names every problem. */
export function parseDataRefreshEnv(env: Readonly<Record<string, string | undefined>>): DataRefreshEnv {
  const parsed = DataRefreshEnvSchema().safeParse(env);
  if (!parsed.success) {
    // Never echo values: two of these variables are secrets.
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new ValidationError(`invalid dataRefresh environment:\n${formatIssues(issues)}`, issues);
  }
  return parsed.data;
}

/**
 * The Alpaca keys of dataRefresh, through the shared key provider: from SSM under
 * BOOKS_ALPACA_KEY_SSM_PREFIX (read on first use, then cached per instance), else from the
 * validated environment.
 */
export function dataRefreshKeys(
  env: DataRefreshEnv,
  ssm: SsmParameterClient,
  GetParameterCommand: GetParameterCommandClass,
): KeyProvider {
  return keyProviderFor(keySourceOf(env.BOOKS_ALPACA_KEY_SSM_PREFIX), {
    env: { ALPACA_API_KEY_ID: env.ALPACA_API_KEY_ID, ALPACA_API_SECRET_KEY: env.ALPACA_API_SECRET_KEY },
    ssm: { client: ssm, GetParameterCommand },
  });
}

/**
 * Some symbols could not be refreshed. Thrown after every other symbol was refreshed and written,
 * so the scheduled invocation fails (and alarms) while the good symbols are kept.
 */
export class DataRefreshFailed extends BooksError {
  static override readonly errorName: string = 'DataRefreshFailed';
  constructor(readonly summary: DataRefreshSummary) {
    super(
      'DATA_REFRESH_FAILED',
      `bars refresh failed for ${summary.failed.length} symbol(s): ${summary.failed.map((f) => `${f.symbol} (${f.error})`).join('; ')}`,
      { failed: summary.failed, outcomes: summary.outcomes },
    );
  }
}

/** A manual invocation may name the date and the symbols; the schedule sends neither. */
const DataRefreshEventSchema = z.object({
  today: TradingDateSchema.optional(),
  symbols: z.array(SymbolSchema).optional(),
});

export interface DataRefreshDeps {
  readonly env: DataRefreshEnv;
  readonly s3: S3Client;
  /** The SDK's S3 commands (S3BarCommands), imported where the client is made. */
  readonly s3Commands: S3BarCommands;
  readonly keys: KeyProvider;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
}

export interface DataRefreshSummary {
  readonly today: TradingDate;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly outcomes: Readonly<Record<RefreshOutcome, number>>;
  readonly added: number;
  readonly failed: readonly { readonly symbol: string; readonly error: string }[];
  readonly restated: readonly { readonly symbol: string; readonly restatement: string }[];
  /** Only symbols with gaps. */
  readonly gaps: Readonly<Record<string, readonly string[]>>;
  /** Only symbols with rejected rows. */
  readonly rejected: Readonly<Record<string, readonly { readonly date: string; readonly problem: string }[]>>;
}

/**
 * The dataRefresh function over its dependencies: every symbol already in the store plus the
 * configured ones, refreshed up to today's New York date (or the event's `today`). Resolves with
 * the summary when every symbol was refreshed; throws DataRefreshFailed (carrying the summary)
 * when any symbol failed.
 */
export function dataRefreshFunction(
  deps: DataRefreshDeps,
): (event: unknown, context: LambdaContext) => Promise<DataRefreshSummary> {
  const { env, clock, logger } = deps;
  const client = new AlpacaBarsClient(
    AlpacaDataConfigSchema.parse({
      latestTradesFeed: env.BOOKS_ALPACA_FEED,
      ...(env.BOOKS_ALPACA_DATA_URL === undefined ? {} : { dataUrl: env.BOOKS_ALPACA_DATA_URL }),
    }),
    { keys: deps.keys, clock, logger, ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }) },
  );
  return async (raw, context) => {
    const event = DataRefreshEventSchema.parse(raw ?? {});
    // A store per invocation: its cache must not outlive one refresh in a warm container.
    const store = new S3BarStore({
      client: deps.s3,
      commands: deps.s3Commands,
      bucket: env.BOOKS_BARS.bucket,
      prefix: env.BOOKS_BARS.prefix,
    });
    const symbols = event.symbols ?? [...(await store.symbols()), ...env.BOOKS_BARS_SYMBOLS];
    const report = await refreshBars({
      store,
      client,
      symbols,
      today: event.today ?? marketDateOf(clock.now()),
      clock,
      logger,
      ...(env.BOOKS_BARS_HISTORY_START === undefined ? {} : { historyStart: env.BOOKS_BARS_HISTORY_START }),
    });
    const summary = summarise(report);
    const level = summary.failed.length > 0 ? 'error' : 'info';
    // How close to its timeout the refresh ran: the store grows, the timeout does not.
    logger[level](
      {
        event: 'bars-refreshed',
        requestId: context.awsRequestId,
        remainingMs: context.getRemainingTimeInMillis(),
        ...summary,
      },
      summary.failed.length > 0 ? 'bars refresh finished with failures' : 'bars refresh finished',
    );
    if (summary.failed.length > 0) throw new DataRefreshFailed(summary);
    return summary;
  };
}

function summarise(report: RefreshReport): DataRefreshSummary {
  const outcomes: Record<RefreshOutcome, number> = {
    created: 0,
    appended: 0,
    unchanged: 0,
    restated: 0,
    failed: 0,
  };
  for (const s of report.symbols) outcomes[s.outcome]++;
  return {
    today: TradingDate(report.today),
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    outcomes,
    added: report.symbols.reduce((n, s) => n + s.added, 0),
    failed: report.symbols.flatMap((s) =>
      s.error === undefined ? [] : [{ symbol: s.symbol, error: s.error }],
    ),
    restated: report.symbols.flatMap((s) =>
      s.restatement === undefined ? [] : [{ symbol: s.symbol, restatement: s.restatement }],
    ),
    gaps: Object.fromEntries(report.symbols.filter((s) => s.gaps.length > 0).map((s) => [s.symbol, s.gaps])),
    rejected: Object.fromEntries(
      report.symbols.filter((s) => s.rejected.length > 0).map((s) => [s.symbol, s.rejected]),
    ),
  };
}
