import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as sqs from '@aws-sdk/client-sqs';
import type { InMemoryDynamoDb } from './dynamodb/memory-dynamodb';
import type { InMemorySqs } from './sqs/memory-sqs';

/** Serves one API operation by name with the command's input (the SDK's own typed input). */
export interface InProcessService {
  handle(operation: string, input: unknown): object;
}

/** No endpoint is ever reached: `send` answers first. The URL names that. */
const CONFIG = {
  region: 'us-east-1',
  endpoint: 'http://in-process.invalid',
  credentials: { accessKeyId: 'in-process', secretAccessKey: 'in-process' },
  maxAttempts: 1,
};

/** A command as callers build it: an instance of one of the SDK's command classes, with its input. */
interface AnyCommand {
  readonly input: object;
}
type CommandClass = abstract new (...args: never[]) => AnyCommand;

/**
 * The operations served, by command class (not by class name, which a bundler may rename). A
 * command of another class is refused by name where the service would refuse it.
 */
const DYNAMODB_OPERATIONS: readonly (readonly [CommandClass, string])[] = [
  [dynamodb.CreateTableCommand, 'CreateTable'],
  [dynamodb.DescribeTableCommand, 'DescribeTable'],
  [dynamodb.DeleteTableCommand, 'DeleteTable'],
  [dynamodb.ListTablesCommand, 'ListTables'],
  [dynamodb.UpdateTimeToLiveCommand, 'UpdateTimeToLive'],
  [dynamodb.GetItemCommand, 'GetItem'],
  [dynamodb.BatchGetItemCommand, 'BatchGetItem'],
  [dynamodb.PutItemCommand, 'PutItem'],
  [dynamodb.UpdateItemCommand, 'UpdateItem'],
  [dynamodb.DeleteItemCommand, 'DeleteItem'],
  [dynamodb.QueryCommand, 'Query'],
  [dynamodb.TransactWriteItemsCommand, 'TransactWriteItems'],
  [dynamodb.TransactGetItemsCommand, 'TransactGetItems'],
];
const SQS_OPERATIONS: readonly (readonly [CommandClass, string])[] = [
  [sqs.CreateQueueCommand, 'CreateQueue'],
  [sqs.GetQueueUrlCommand, 'GetQueueUrl'],
  [sqs.ListQueuesCommand, 'ListQueues'],
  [sqs.GetQueueAttributesCommand, 'GetQueueAttributes'],
  [sqs.SendMessageCommand, 'SendMessage'],
  [sqs.SendMessageBatchCommand, 'SendMessageBatch'],
  [sqs.ReceiveMessageCommand, 'ReceiveMessage'],
  [sqs.DeleteMessageCommand, 'DeleteMessage'],
  [sqs.ChangeMessageVisibilityCommand, 'ChangeMessageVisibility'],
  [sqs.PurgeQueueCommand, 'PurgeQueue'],
  [sqs.DeleteQueueCommand, 'DeleteQueue'],
];

/** Per list of operations, the operation of each command class seen, by constructor (one lookup per call). */
const seen = new WeakMap<object, Map<unknown, string>>();

function operationOf(operations: readonly (readonly [CommandClass, string])[], command: AnyCommand): string {
  let byConstructor = seen.get(operations);
  if (byConstructor === undefined) {
    byConstructor = new Map();
    seen.set(operations, byConstructor);
  }
  const ctor: unknown = Object.getPrototypeOf(command)?.constructor;
  const known = byConstructor.get(ctor);
  if (known !== undefined) return known;
  const found = operations.find(([cls]) => command instanceof cls);
  if (found && ctor !== undefined) byConstructor.set(ctor, found[1]);
  return found ? found[1] : `unsupported command ${Object.getPrototypeOf(command)?.constructor?.name ?? '?'}`;
}

/**
 * Answers a command from the in-process service: callers keep the real SDK client type, commands
 * and exception classes; only the wire is gone, and with it the client's middleware stack (its
 * per-call serialization, signing and retries are the bulk of a call's cost in process). The
 * service copies what it stores and returns, so no caller shares an object with it.
 */
async function answer(service: InProcessService, operation: string, input: object): Promise<object> {
  return { ...service.handle(operation, input), $metadata: {} };
}

/**
 * A DynamoDB client answered by `store`. Middleware added to its stack does not run (there is no
 * request to wrap); the store is the whole service.
 */
export function inProcessDynamoDbClient(store: InMemoryDynamoDb): dynamodb.DynamoDBClient {
  const client = new dynamodb.DynamoDBClient(CONFIG);
  // The SDK's overloads of `send` (callbacks) are not used by our callers; the promise form is served.
  Object.defineProperty(client, 'send', {
    value: (command: AnyCommand) => answer(store, operationOf(DYNAMODB_OPERATIONS, command), command.input),
  });
  return client;
}

export function inProcessSqsClient(queues: InMemorySqs): sqs.SQSClient {
  const client = new sqs.SQSClient(CONFIG);
  Object.defineProperty(client, 'send', {
    value: (command: AnyCommand) => answer(queues, operationOf(SQS_OPERATIONS, command), command.input),
  });
  return client;
}
