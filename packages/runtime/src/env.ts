import { LatestTradeFeedSchema } from '@books/broker';
import { formatIssues, ValidationError } from '@books/core';
import * as z from 'zod';

const optionalUrl = z.url().optional();

const EnvSchema = z
  .object({
    BOOKS_STAGE: z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'a stage name such as dev or prod'),
    BOOKS_TABLE_NAME: z.string().min(3),
    /** The execution queue by URL, or by name (looked up on first use). */
    BOOKS_EXECUTION_QUEUE_URL: z.url().optional(),
    BOOKS_EXECUTION_QUEUE_NAME: z.string().min(1).optional(),
    /** Where the strategy files and config.<stage>.json are (bundled beside the handler when deployed). */
    BOOKS_STRATEGIES_DIR: z.string().min(1).default('strategies'),
    BOOKS_STRATEGIES_CONFIG: z.string().optional(),
    BOOKS_BROKER_MODE: z.enum(['alpaca-paper', 'alpaca-live', 'simulated']),
    /** The feed of latest trades the account's data plan allows (daily bars always come from SIP). */
    BOOKS_ALPACA_FEED: LatestTradeFeedSchema.default('iex'),
    BOOKS_ALPACA_KEY_SSM_PREFIX: z.string().optional(),
    /** The account's broker budget, shared by every function (Alpaca: 200 requests/min). */
    BOOKS_BROKER_REQUESTS_PER_MINUTE: z.coerce.number().int().positive().default(200),
    /** Daily bars: a directory of CSV files, or s3://bucket/prefix. */
    BOOKS_BARS: z.string().min(1).optional(),
    BOOKS_DYNAMODB_ENDPOINT: optionalUrl,
    BOOKS_SQS_ENDPOINT: optionalUrl,
    BOOKS_S3_ENDPOINT: optionalUrl,
    BOOKS_SSM_ENDPOINT: optionalUrl,
    BOOKS_EVENTBRIDGE_ENDPOINT: optionalUrl,
    BOOKS_SNS_ENDPOINT: optionalUrl,
    BOOKS_SES_ENDPOINT: optionalUrl,
    /** The stage's EventBridge bus its events are published on; absent, events are not published. */
    BOOKS_EVENT_BUS_NAME: z.string().min(1).optional(),
    /** Run-time flow overrides per strategy: `ssm:/prefix` (deployed) or `file:/path.json` (local). */
    BOOKS_FLOW_FLAGS: z
      .string()
      .regex(/^(ssm:\/|file:).+/, 'ssm:/prefix or file:/path.json')
      .optional(),
    /** Trader controls in force (pause, liquidate, halt): `ssm:/prefix` (deployed) or `file:/path.json` (local). */
    BOOKS_CONTROLS: z
      .string()
      .regex(/^(ssm:\/|file:).+/, 'ssm:/prefix or file:/path.json')
      .optional(),
    /** Starting cash of the simulated broker's account. */
    BOOKS_SIMULATED_CASH: z
      .string()
      .regex(/^\d+(\.\d+)?$/)
      .default('100000'),
    BOOKS_SIMULATED_SLIPPAGE_BPS: z
      .string()
      .regex(/^\d+(\.\d+)?$/)
      .default('0'),
    BOOKS_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  })
  .refine((e) => e.BOOKS_EXECUTION_QUEUE_URL !== undefined || e.BOOKS_EXECUTION_QUEUE_NAME !== undefined, {
    path: ['BOOKS_EXECUTION_QUEUE_NAME'],
    message: 'BOOKS_EXECUTION_QUEUE_URL or BOOKS_EXECUTION_QUEUE_NAME is required',
  });

export type RuntimeEnv = z.infer<typeof EnvSchema> & { readonly BOOKS_STRATEGIES_CONFIG: string };

/**
 * The environment a function runs with, validated once at cold start: a missing or malformed
 * variable stops the function with every problem named, before it touches anything.
 */
export function parseRuntimeEnv(env: Readonly<Record<string, string | undefined>>): RuntimeEnv {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new ValidationError(`invalid function environment:\n${formatIssues(issues)}`, issues);
  }
  return {
    ...parsed.data,
    BOOKS_STRATEGIES_CONFIG: parsed.data.BOOKS_STRATEGIES_CONFIG ?? `config.${parsed.data.BOOKS_STAGE}.json`,
  };
}
