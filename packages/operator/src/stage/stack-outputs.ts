import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import * as z from 'zod';
import { StageError } from './stage-error';

/** The CloudFormation stack `sls deploy --stage S` creates (serverless.yml `service`). */
export function stackNameOf(stage: string): string {
  return `strategy-books-${stage}`;
}

/**
 * The outputs of a deployed stage's stack that an operator command needs (serverless.yml
 * `resources.Outputs`): the stage's resources are read from its stack, never guessed from names.
 */
export const StackOutputsSchema = z.object({
  LedgerTableName: z.string().min(3),
  ExecutionQueueUrl: z.url(),
  ExecutionDeadLetterQueueUrl: z.url(),
  DailyRunStateMachineArn: z.string().startsWith('arn:'),
  BrokerMode: z.enum(['alpaca-paper', 'alpaca-live']),
  AlpacaFeed: z.enum(['iex', 'sip', 'delayed_sip']),
  AlpacaKeySsmPrefix: z.string().regex(/^\/[\w./-]*[^/]$/),
  FlowFlagsSsmPrefix: z.string().regex(/^\/[\w./-]*[^/]$/),
  /** The trader controls (absent on a stage deployed before them: no control can be set there). */
  ControlsSsmPrefix: z
    .string()
    .regex(/^\/[\w./-]*[^/]$/)
    .optional(),
  StrategiesConfig: z.string().regex(/^[\w.-]+\.json$/),
  AlarmTopicArn: z.string().startsWith('arn:').optional(),
  /** The daily bars (BOOKS_BARS of the functions): `books report` values books at their closes. */
  BarsLocation: z.string().regex(/^s3:\/\/[^/]+\//),
});
export type StackOutputs = z.infer<typeof StackOutputsSchema>;

/** DescribeStacks of the stage's stack: its outputs, or a StageError saying what is missing and how to fix it. */
export async function readStackOutputs(
  cfn: CloudFormationClient,
  stage: string,
  region: string,
): Promise<StackOutputs> {
  const stackName = stackNameOf(stage);
  let outputs: Record<string, string>;
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = out.Stacks?.[0];
    if (!stack) throw new Error(`Stack with id ${stackName} does not exist`);
    outputs = Object.fromEntries(
      (stack.Outputs ?? []).flatMap((o) =>
        o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [],
      ),
    );
  } catch (e) {
    throw describeAwsFailure(e, {
      what: `the stack ${stackName} in ${region}`,
      notFound: `no stack ${stackName} in ${region}: deploy it with \`sls deploy --stage ${stage} --region ${region}\`, or pick the stack's region (AWS_REGION, or the profile's region)`,
    });
  }
  const parsed = StackOutputsSchema.safeParse(outputs);
  if (!parsed.success) {
    const missing = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new StageError(
      `the stack ${stackName} lacks outputs an operator command needs (${missing}): redeploy it with this version of serverless.yml (\`sls deploy --stage ${stage}\`)`,
    );
  }
  return parsed.data;
}

/** An AWS SDK failure as one StageError: no credentials, access denied, not found, or the service's own message. */
export function describeAwsFailure(e: unknown, about: { what: string; notFound: string }): StageError {
  const name = e instanceof Error ? e.name : '';
  const message = e instanceof Error ? e.message : String(e);
  if (name === 'CredentialsProviderError' || /credential/i.test(message))
    return new StageError(
      `no AWS credentials to reach ${about.what}: set AWS_PROFILE (then \`aws sso login\` for an SSO profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (${message})`,
      { cause: e },
    );
  if (/does not exist|not found|NotFound/i.test(`${name} ${message}`))
    return new StageError(about.notFound, { cause: e });
  if (/AccessDenied|UnrecognizedClient|InvalidClientTokenId|ExpiredToken/i.test(`${name} ${message}`))
    return new StageError(
      `access to ${about.what} was refused (${name}: ${message}): the operator needs the permissions README.md lists under "Operating a deployed stage"`,
      { cause: e },
    );
  return new StageError(`cannot read ${about.what}: ${name ? `${name}: ` : ''}${message}`, { cause: e });
}
