import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AlpacaBroker, parseAlpacaConfig, ssmKeyProvider } from '@books/broker';
import { type Clock, type Logger, runIdOf, systemClock, TradingDate } from '@books/core';
import {
  createAwsClients,
  createServices,
  parseRuntimeEnv,
  type RuntimeEnv,
  type Services,
} from '@books/runtime';
import { stageConfig } from '../queries/local-session';
import { describeAwsFailure, readStackOutputs, type StackOutputs, stackNameOf } from './stack-outputs';
import type { Stage } from './stage';
import { StageError } from './stage-error';

/** Where each AWS API answers (tests: moto's server, DynamoDB Local); absent: AWS itself. */
export interface AwsEndpoints {
  readonly cloudformation: string;
  readonly dynamodb: string;
  readonly sqs: string;
  readonly ssm: string;
  readonly s3: string;
  readonly sts: string;
  readonly sfn: string;
}

/**
 * How to reach AWS. By default the SDK's own chains: credentials from the environment, a profile
 * (AWS_PROFILE, SSO after `aws sso login`), or the instance's role; the region from AWS_REGION or
 * the profile. The AWS SDK also honours AWS_ENDPOINT_URL(_<SERVICE>) for emulators.
 */
export interface AwsAccess {
  readonly region?: string;
  readonly endpoints?: AwsEndpoints;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface DeployedStageOptions {
  readonly aws?: AwsAccess;
  /** The repository's strategies/ (the stack's StrategiesConfig names the file deployed from it). */
  readonly strategiesDir: string;
  readonly logger: Logger;
  readonly now?: Date;
  /** Tests: the Alpaca-shaped server in place of Alpaca's paper/live and data URLs. */
  readonly alpacaUrls?: { readonly tradingUrl: string; readonly dataUrl: string };
}

/** The operator's view of a deployed stage: what it reads from the stack, and the stage itself. */
export interface DeployedStage extends Stage {
  readonly kind: 'deployed';
  readonly outputs: StackOutputs;
  readonly region: string;
  readonly aws: AwsAccess;
}

/** How many calendar days back a deployed stage's calendar (from the broker) reaches, for `books runs`. */
const CALENDAR_DAYS = 3 * 366;

/**
 * Opens a deployed stage by reading only: the stack's outputs (DescribeStacks), its table
 * (DescribeTable), its queues (GetQueueAttributes) and its Alpaca key parameters (GetParameter).
 * Nothing is created; anything missing is one StageError saying what and how to fix it.
 */
export async function openDeployedStage(name: string, options: DeployedStageOptions): Promise<DeployedStage> {
  const aws = options.aws ?? {};
  const clientConfig = (endpoint: string | undefined) => ({
    ...(aws.region ? { region: aws.region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(aws.credentials ? { credentials: aws.credentials } : {}),
  });
  const cfn = new CloudFormationClient(clientConfig(aws.endpoints?.cloudformation));
  let region: string;
  try {
    region = await cfn.config.region();
  } catch (e) {
    throw new StageError(
      `no AWS region for the stage ${name}: set AWS_REGION, or a region in the AWS profile (AWS_PROFILE)`,
      { cause: e },
    );
  }
  const outputs = await readStackOutputs(cfn, name, region);
  const regional = { ...aws, region };
  const dynamodb = new DynamoDBClient({ ...clientConfig(aws.endpoints?.dynamodb), region });
  const sqs = new SQSClient({ ...clientConfig(aws.endpoints?.sqs), region });
  const ssm = new SSMClient({ ...clientConfig(aws.endpoints?.ssm), region });
  const stackName = stackNameOf(name);
  await check(`the table ${outputs.LedgerTableName} (output LedgerTableName of ${stackName})`, () =>
    dynamodb.send(new DescribeTableCommand({ TableName: outputs.LedgerTableName })),
  );
  for (const [output, url] of [
    ['ExecutionQueueUrl', outputs.ExecutionQueueUrl],
    ['ExecutionDeadLetterQueueUrl', outputs.ExecutionDeadLetterQueueUrl],
  ] as const)
    await check(`the queue ${url} (output ${output} of ${stackName})`, () =>
      sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })),
    );
  for (const key of ['api-key-id', 'api-secret-key']) {
    const parameter = `${outputs.AlpacaKeySsmPrefix}/${key}`;
    await check(
      `the SSM parameter ${parameter} (the stage's Alpaca key; put it with \`aws ssm put-parameter --type SecureString --name ${parameter} --value …\`)`,
      () => ssm.send(new GetParameterCommand({ Name: parameter, WithDecryption: true })),
    );
  }
  dynamodb.destroy();
  sqs.destroy();
  ssm.destroy();

  const config = stageConfig(options.strategiesDir, name, outputs.StrategiesConfig);
  const env = parseRuntimeEnv({
    BOOKS_STAGE: name,
    BOOKS_TABLE_NAME: outputs.LedgerTableName,
    BOOKS_EXECUTION_QUEUE_URL: outputs.ExecutionQueueUrl,
    BOOKS_STRATEGIES_DIR: options.strategiesDir,
    BOOKS_STRATEGIES_CONFIG: outputs.StrategiesConfig,
    BOOKS_BROKER_MODE: outputs.BrokerMode,
    BOOKS_ALPACA_FEED: outputs.AlpacaFeed,
    BOOKS_ALPACA_KEY_SSM_PREFIX: outputs.AlpacaKeySsmPrefix,
    BOOKS_FLOW_FLAGS: `ssm:${outputs.FlowFlagsSsmPrefix}`,
    ...(outputs.ControlsSsmPrefix ? { BOOKS_CONTROLS: `ssm:${outputs.ControlsSsmPrefix}` } : {}),
    BOOKS_BARS: outputs.BarsLocation,
    BOOKS_REGION: region,
    ...(aws.endpoints
      ? {
          BOOKS_DYNAMODB_ENDPOINT: aws.endpoints.dynamodb,
          BOOKS_SQS_ENDPOINT: aws.endpoints.sqs,
          BOOKS_SSM_ENDPOINT: aws.endpoints.ssm,
          BOOKS_S3_ENDPOINT: aws.endpoints.s3,
        }
      : {}),
  });
  const clock = systemClock;
  const servicesAws = await createServicesFor(env, options, clock);
  const now = options.now ?? new Date();
  const calendar = await servicesAws.broker
    .getCalendar(TradingDate(isoDay(now, -CALENDAR_DAYS)), TradingDate(isoDay(now, 0)))
    .then((days) => days.map((d) => d.date).filter((d) => d <= isoDay(now, 0)))
    .catch((e: unknown) => {
      throw new StageError(
        `cannot read the calendar from the stage's broker (${outputs.BrokerMode}): ${String(e)}`,
        {
          cause: e,
        },
      );
    });
  const last = await lastRunDateOf(servicesAws, name, calendar);
  return {
    kind: 'deployed',
    stage: name,
    services: servicesAws,
    strategyIds: config.strategies.map((s) => s.id),
    calendar,
    ...(last ? { lastRunDate: last } : {}),
    now,
    executionDlqUrl: outputs.ExecutionDeadLetterQueueUrl,
    stateMachineArn: outputs.DailyRunStateMachineArn,
    liveMoney: outputs.BrokerMode === 'alpaca-live',
    outputs,
    region,
    aws: regional,
    close: () => {
      for (const client of Object.values(servicesAws.clients)) client.destroy();
    },
    callerIdentity: async () => {
      const sts = new STSClient({ ...clientConfig(aws.endpoints?.sts), region });
      try {
        const who = await sts.send(new GetCallerIdentityCommand({}));
        return who.Arn ?? who.UserId ?? 'unknown caller';
      } finally {
        sts.destroy();
      }
    },
  };
}

async function createServicesFor(
  env: RuntimeEnv,
  options: DeployedStageOptions,
  clock: Clock,
): Promise<Services> {
  const prefix = env.BOOKS_ALPACA_KEY_SSM_PREFIX ?? '';
  const broker = new AlpacaBroker(
    parseAlpacaConfig({
      mode: env.BOOKS_BROKER_MODE === 'alpaca-live' ? 'live' : 'paper',
      feed: env.BOOKS_ALPACA_FEED,
      keys: { source: 'ssm', prefix },
      requestsPerMinute: env.BOOKS_BROKER_REQUESTS_PER_MINUTE,
      ...(options.alpacaUrls ?? {}),
    }),
    {
      keys: ssmKeyProvider(createAwsClients(env).ssm, prefix, GetParameterCommand),
      clock,
      logger: options.logger,
    },
  );
  return createServices(env, { clock, logger: options.logger, processEnv: {}, broker });
}

/** How many trading days back a deployed stage looks for its last run (migrate waits for it to complete). */
const LAST_RUN_LOOKBACK = 30;

/** The newest trading day of `calendar` (within the lookback) whose run exists in the ledger. */
async function lastRunDateOf(
  services: Services,
  stage: string,
  calendar: readonly TradingDate[],
): Promise<TradingDate | undefined> {
  for (const date of calendar.slice(-LAST_RUN_LOOKBACK).reverse())
    if (await services.runs.getMeta(runIdOf(stage, date))) return date;
  return undefined;
}

/** The calendar day `offset` days from `now`, as YYYY-MM-DD (UTC). */
function isoDay(now: Date, offset: number): string {
  return new Date(now.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
}

async function check(what: string, read: () => Promise<unknown>): Promise<void> {
  try {
    await read();
  } catch (e) {
    throw describeAwsFailure(e, {
      what,
      notFound: `${what} does not exist: is the stage deployed (\`sls deploy\`)?`,
    });
  }
}
