import { AsyncLocalStorage } from 'node:async_hooks';
import type { AwsCall, AwsCallRecorder } from '@books/runtime';
import * as z from 'zod';

/** A call as IAM authorises it: one action on one resource ARN. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
}

/** A call recorded while a function (by its serverless.yml key) was handling an event. */
export interface AttributedCall {
  /** undefined: the test harness itself (the SQS poller standing in for the event source, checks). */
  readonly functionName: string | undefined;
  readonly call: AwsCall;
}

/**
 * Records every call of the runtime's clients, attributed to the function whose handler is running
 * (an AsyncLocalStorage context, so concurrent handlers stay apart).
 */
export class AttributingRecorder implements AwsCallRecorder {
  readonly calls: AttributedCall[] = [];
  private readonly current = new AsyncLocalStorage<string>();

  record(call: AwsCall): void {
    this.calls.push({ functionName: this.current.getStore(), call });
  }

  /** Runs `work` as function `functionName`: the calls it makes are that function's. */
  as<R>(functionName: string, work: () => Promise<R>): Promise<R> {
    return this.current.run(functionName, work);
  }

  /** The function running now (undefined outside every handler). */
  get running(): string | undefined {
    return this.current.getStore();
  }
}

/** Where the deployed stage's resources are: the local names the calls use, mapped to the template's ARNs. */
export interface DeployedResources {
  readonly tableArn: (localTableName: string) => string;
  readonly queueArn: (localQueueUrlOrName: string) => string;
  readonly bucketArn: (bucket: string) => string;
  readonly parameterArn: (name: string) => string;
  readonly functionArn: (name: string) => string;
  readonly eventBusArn: (name: string) => string;
  readonly topicArn: (arn: string) => string;
  /** The SES identity a sender's mail is authorised on. */
  readonly emailIdentityArn: (from: string) => string;
}

const Table = z.object({ TableName: z.string(), IndexName: z.string().optional() });
const Queue = z.object({ QueueUrl: z.string() });
const TransactWriteItems = z.object({
  TransactItems: z.array(
    z.union([
      z.object({ Put: Table }).transform((i) => ({ action: 'PutItem', table: i.Put.TableName })),
      z.object({ Update: Table }).transform((i) => ({ action: 'UpdateItem', table: i.Update.TableName })),
      z.object({ Delete: Table }).transform((i) => ({ action: 'DeleteItem', table: i.Delete.TableName })),
      z
        .object({ ConditionCheck: Table })
        .transform((i) => ({ action: 'ConditionCheckItem', table: i.ConditionCheck.TableName })),
    ]),
  ),
});
const TransactGetItems = z.object({ TransactItems: z.array(z.object({ Get: Table })) });
const BatchItems = z.object({ RequestItems: z.record(z.string(), z.unknown()) });

/** The operations a DynamoDB call on one table (or one of its indexes) is authorised as itself. */
const DYNAMODB_SINGLE = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'DescribeTable',
]);

/**
 * The IAM requests one SDK call is authorised as. A transaction is one request per item, with the
 * action of the item's kind (Put → dynamodb:PutItem, ConditionCheck → dynamodb:ConditionCheckItem,
 * ...): there is no `dynamodb:TransactWriteItems` action. An unknown call throws: the mapping must
 * be extended, never guessed.
 */
export function iamRequestsOf(call: AwsCall, deployed: DeployedResources): IamRequest[] {
  const { client, operation, input } = call;
  if (client === 'DynamoDBClient') {
    if (DYNAMODB_SINGLE.has(operation)) {
      const t = Table.parse(input);
      const table = deployed.tableArn(t.TableName);
      const onIndex = t.IndexName !== undefined && (operation === 'Query' || operation === 'Scan');
      return [
        { action: `dynamodb:${operation}`, resource: onIndex ? `${table}/index/${t.IndexName}` : table },
      ];
    }
    if (operation === 'TransactWriteItems')
      return TransactWriteItems.parse(input).TransactItems.map((i) => ({
        action: `dynamodb:${i.action}`,
        resource: deployed.tableArn(i.table),
      }));
    if (operation === 'TransactGetItems')
      return TransactGetItems.parse(input).TransactItems.map((i) => ({
        action: 'dynamodb:GetItem',
        resource: deployed.tableArn(i.Get.TableName),
      }));
    if (operation === 'BatchGetItem' || operation === 'BatchWriteItem')
      return Object.keys(BatchItems.parse(input).RequestItems).map((t) => ({
        action: `dynamodb:${operation}`,
        resource: deployed.tableArn(t),
      }));
  }
  if (client === 'SQSClient') {
    const asAction: Record<string, string> = {
      SendMessage: 'SendMessage',
      SendMessageBatch: 'SendMessage',
      ReceiveMessage: 'ReceiveMessage',
      DeleteMessage: 'DeleteMessage',
      DeleteMessageBatch: 'DeleteMessage',
      ChangeMessageVisibility: 'ChangeMessageVisibility',
      ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
      GetQueueAttributes: 'GetQueueAttributes',
    };
    const action = asAction[operation];
    if (action)
      return [{ action: `sqs:${action}`, resource: deployed.queueArn(Queue.parse(input).QueueUrl) }];
    if (operation === 'GetQueueUrl')
      return [
        {
          action: 'sqs:GetQueueUrl',
          resource: deployed.queueArn(z.object({ QueueName: z.string() }).parse(input).QueueName),
        },
      ];
  }
  if (client === 'S3Client') {
    const o = z.object({ Bucket: z.string(), Key: z.string().optional() }).parse(input);
    const bucket = deployed.bucketArn(o.Bucket);
    // HeadObject is authorised as s3:GetObject, ListObjectsV2 as s3:ListBucket (on the bucket).
    const onObject: Record<string, string> = {
      GetObject: 'GetObject',
      HeadObject: 'GetObject',
      PutObject: 'PutObject',
    };
    const objectAction = onObject[operation];
    if (objectAction && o.Key !== undefined)
      return [{ action: `s3:${objectAction}`, resource: `${bucket}/${o.Key}` }];
    if (operation === 'ListObjectsV2' || operation === 'ListObjects')
      return [{ action: 's3:ListBucket', resource: bucket }];
  }
  if (client === 'SSMClient') {
    if (operation === 'GetParameter' || operation === 'PutParameter')
      return [
        {
          action: `ssm:${operation}`,
          resource: deployed.parameterArn(z.object({ Name: z.string() }).parse(input).Name),
        },
      ];
    if (operation === 'GetParametersByPath')
      return [
        {
          action: 'ssm:GetParametersByPath',
          resource: deployed.parameterArn(z.object({ Path: z.string() }).parse(input).Path),
        },
      ];
  }
  if (client === 'LambdaClient' && operation === 'Invoke') {
    const name = z.object({ FunctionName: z.string() }).parse(input).FunctionName;
    return [{ action: 'lambda:InvokeFunction', resource: deployed.functionArn(name) }];
  }
  if (client === 'EventBridgeClient' && operation === 'PutEvents') {
    // One events:PutEvents request per bus the entries name.
    const entries = z
      .object({ Entries: z.array(z.object({ EventBusName: z.string() })) })
      .parse(input).Entries;
    return [...new Set(entries.map((e) => e.EventBusName))].map((bus) => ({
      action: 'events:PutEvents',
      resource: deployed.eventBusArn(bus),
    }));
  }
  if (client === 'SNSClient' && operation === 'Publish') {
    const topic = z.object({ TopicArn: z.string() }).parse(input).TopicArn;
    return [{ action: 'sns:Publish', resource: deployed.topicArn(topic) }];
  }
  if (client === 'SESv2Client' && operation === 'SendEmail') {
    // SES v2's SendEmail is authorised as ses:SendEmail on the sending identity.
    const from = z.object({ FromEmailAddress: z.string() }).parse(input).FromEmailAddress;
    return [{ action: 'ses:SendEmail', resource: deployed.emailIdentityArn(from) }];
  }
  throw new Error(`no IAM mapping for ${client}.${operation}: extend iamRequestsOf`);
}
